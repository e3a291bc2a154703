/**
 * The periodic jobs on /metrics: when each last ran, how long it took, and how its runs went, so a
 * retention pass that takes minutes or a delivery job that keeps failing shows on a dashboard before
 * anyone notices missing e-mails. Read from the runner at scrape time; `job` is a fixed, small label set.
 */
import client from 'prom-client';
import type { JobOutcome, JobStatus } from '../jobs.js';

export function registerJobMetrics(registry: client.Registry, status: () => JobStatus[]): void {
  // One snapshot per scrape, shared by the gauges (prom-client collects in registration order).
  let snapshot: JobStatus[] = [];
  new client.Gauge({
    name: 'communewatch_job_last_run_timestamp_seconds',
    help: 'When the periodic job last finished a run (ok or failed), unix seconds',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      snapshot = status();
      this.reset();
      for (const j of snapshot) if (j.lastRunAt !== null) this.set({ job: j.name }, j.lastRunAt / 1000);
    },
  });
  new client.Gauge({
    name: 'communewatch_job_last_duration_seconds',
    help: "Duration of the periodic job's last run",
    labelNames: ['job'],
    registers: [registry],
    collect() {
      this.reset();
      for (const j of snapshot) if (j.lastDurationMs !== null) this.set({ job: j.name }, j.lastDurationMs / 1000);
    },
  });
  new client.Gauge({
    name: 'communewatch_job_last_success',
    help: '1 if the periodic job last ran without error, 0 if it failed; absent before its first run',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      this.reset();
      for (const j of snapshot) if (j.lastOutcome !== null) this.set({ job: j.name }, j.lastOutcome === 'ok' ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'communewatch_job_running',
    help: '1 while a run of the periodic job is in flight',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      this.reset();
      for (const j of snapshot) this.set({ job: j.name }, j.running ? 1 : 0);
    },
  });
  new client.Counter({
    name: 'communewatch_job_runs_total',
    help: 'Runs of each periodic job by outcome: ok, failed, or skipped (the previous run was still in flight)',
    labelNames: ['job', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const j of snapshot)
        for (const outcome of ['ok', 'failed', 'skipped'] as const satisfies readonly JobOutcome[])
          this.inc({ job: j.name, outcome }, j.runs[outcome]);
    },
  });
}
