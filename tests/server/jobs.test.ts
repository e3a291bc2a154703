/**
 * The periodic-job runner: interval and first delay, the in-flight guard, failures logged and retried,
 * a backlog run sooner, stop awaiting a run in flight; and the app's jobs on /metrics.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import client from 'prom-client';
import { Jobs } from '../../server/jobs.js';
import { registerJobMetrics } from '../../server/metrics/job-metrics.js';
import { startApiApp } from '../helpers/api-app.js';
import { parsePromText } from '../helpers/prom-text.js';

function capturingLog() {
  const lines: Array<{ msg: string; job?: string }> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

/** A promise the test settles by hand: a job run that lasts until the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Jobs', () => {
  it('runs each job after its first delay, then every interval, and records when and how long', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { log } = capturingLog();
    const jobs = new Jobs({ log });
    const runs: number[] = [];
    jobs.add({ name: 'tick', everyMs: 10_000, firstDelayMs: 1_000, run: () => void runs.push(Date.now()) });
    jobs.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1 + 20_000);
    expect(runs).toEqual([1_001_000, 1_011_000, 1_021_000]);
    const [status] = jobs.status();
    expect(status).toMatchObject({ name: 'tick', running: false, lastRunAt: 1_021_000, lastOutcome: 'ok' });
    expect(status!.runs).toEqual({ ok: 3, failed: 0, skipped: 0 });
    await jobs.stop();
  });

  it('never runs a job twice at once: a run asked for while one is in flight waits for it and is skipped', async () => {
    const { log } = capturingLog();
    const jobs = new Jobs({ log });
    const slow = gate();
    let started = 0;
    jobs.add({
      name: 'deliver',
      everyMs: 60_000,
      run: async () => {
        started++;
        await slow.opened;
      },
    });
    const first = jobs.runNow('deliver');
    const second = jobs.runNow('deliver');
    expect(jobs.status()[0]!.running).toBe(true);
    slow.open();
    expect(await first).toBe('ok');
    expect(await second).toBe('skipped');
    expect(started).toBe(1);
  });

  it('logs a failed run with the job name, counts it, and runs again at the next interval', async () => {
    vi.useFakeTimers({ now: 0 });
    const { log, lines } = capturingLog();
    const jobs = new Jobs({ log });
    let calls = 0;
    jobs.add({
      name: 'flaky',
      everyMs: 5_000,
      run: () => {
        calls++;
        if (calls === 1) throw new Error('SMTP down');
      },
    });
    jobs.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(jobs.status()[0]).toMatchObject({ lastOutcome: 'failed', runs: { ok: 0, failed: 1, skipped: 0 } });
    expect(lines).toEqual([expect.objectContaining({ job: 'flaky', msg: 'flaky failed; will try again' })]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(jobs.status()[0]).toMatchObject({ lastOutcome: 'ok', runs: { ok: 1, failed: 1, skipped: 0 } });
    await jobs.stop();
  });

  it("runs again after the backlog delay while a run says there is 'more', then back to the interval", async () => {
    vi.useFakeTimers({ now: 0 });
    const jobs = new Jobs({ log: capturingLog().log });
    let left = 3;
    const at: number[] = [];
    jobs.add({
      name: 'retention',
      everyMs: 60_000,
      firstDelayMs: 30_000,
      backlogDelayMs: 1_000,
      run: () => {
        at.push(Date.now());
        return --left > 0 ? 'more' : undefined;
      },
    });
    jobs.start();
    await vi.advanceTimersByTimeAsync(30_000 + 2_000 + 60_000);
    expect(at).toEqual([30_000, 31_000, 32_000, 92_000]);
    await jobs.stop();
  });

  it('stop() waits for the run in flight and nothing starts afterwards', async () => {
    vi.useFakeTimers({ now: 0 });
    const jobs = new Jobs({ log: capturingLog().log });
    const slow = gate();
    let finished = false;
    let runs = 0;
    jobs.add({
      name: 'write',
      everyMs: 1_000,
      run: async () => {
        runs++;
        await slow.opened;
        finished = true;
      },
    });
    jobs.start();
    await vi.advanceTimersByTimeAsync(1_000);
    let stopped = false;
    const stopping = jobs.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    slow.open();
    await stopping;
    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(1);
  });

  it('refuses a second job of the same name and a non-positive interval', () => {
    const jobs = new Jobs({ log: capturingLog().log });
    jobs.add({ name: 'a', everyMs: 1, run: () => undefined });
    expect(() => jobs.add({ name: 'a', everyMs: 1, run: () => undefined })).toThrow(/registered twice/);
    expect(() => jobs.add({ name: 'b', everyMs: 0, run: () => undefined })).toThrow(/everyMs must be positive/);
  });

  it('shows last run, duration, outcome and run counts on a registry', async () => {
    const jobs = new Jobs({ log: capturingLog().log, now: () => 1_700_000_000_000 });
    jobs.add({ name: 'ok-job', everyMs: 1_000, run: () => undefined });
    jobs.add({
      name: 'bad-job',
      everyMs: 1_000,
      run: () => {
        throw new Error('boom');
      },
    });
    await jobs.runNow('ok-job');
    await jobs.runNow('bad-job');
    const registry = new client.Registry();
    registerJobMetrics(registry, () => jobs.status());
    const samples = parsePromText(await registry.metrics());
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('communewatch_job_last_run_timestamp_seconds', { job: 'ok-job' })).toBe(1_700_000_000);
    expect(value('communewatch_job_last_success', { job: 'ok-job' })).toBe(1);
    expect(value('communewatch_job_last_success', { job: 'bad-job' })).toBe(0);
    expect(value('communewatch_job_runs_total', { job: 'bad-job', outcome: 'failed' })).toBe(1);
    expect(value('communewatch_job_running', { job: 'ok-job' })).toBe(0);
    expect(value('communewatch_job_last_duration_seconds', { job: 'ok-job' })).toBeGreaterThanOrEqual(0);
  });
});

describe("the app's periodic jobs", () => {
  it('are all registered by name, and a run shows on /metrics', async () => {
    const t = await startApiApp({ now: () => Date.UTC(2026, 11, 8, 3) });
    try {
      expect(
        t.built.jobs
          .status()
          .map((j) => j.name)
          .sort(),
      ).toEqual([
        'agent-silence',
        'alert-delivery',
        'alert-flush',
        'monthly-report',
        'page-figures',
        'retention',
        'rum-retention',
      ]);
      expect(await t.built.jobs.runNow('retention')).toBe('ok');
      expect(await t.built.jobs.runNow('page-figures')).toBe('ok');
      const res = await t.built.app.inject({ url: '/metrics' });
      expect(res.body).toMatch(/communewatch_job_last_run_timestamp_seconds\{job="retention"\} 1796698800\b/);
      expect(res.body).toMatch(/communewatch_job_runs_total\{job="page-figures",outcome="ok"\} 1\b/);
    } finally {
      await t.close();
    }
  });
});
