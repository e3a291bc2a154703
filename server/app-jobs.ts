/**
 * Every periodic job of the server, declared in one list: what runs, how often, and why at that rate.
 * The runner (jobs.ts) adds the in-flight guard, logging, metrics and shutdown.
 */
import type { Store } from './store/store.js';
import type { ServerConfig } from './config.js';
import type { Services } from './services.js';
import type { JobSpec } from './jobs.js';

export interface AppJobDeps {
  store: Store;
  config: ServerConfig;
  now: () => number;
  services: Services;
  /** Starts another job now unless it is in flight (the flush hands over to delivery this way). */
  runNow: (name: string) => Promise<unknown>;
}

export function appJobs(deps: AppJobDeps): JobSpec[] {
  const { store, config, now, services } = deps;
  return [
    {
      // Agents that stopped pushing get their agent-silent incident within one check of the threshold.
      name: 'agent-silence',
      everyMs: config.incidents.agentSilent.checkEverySec * 1000,
      run: () => store.transaction(() => services.incidents.checkSilence(now())),
    },
    {
      // Alert groups are flushed (grouping window, holds, reminders) in one transaction, then the queue is
      // delivered at once by its own job, so a flush never waits on a slow SMTP server or webhook.
      name: 'alert-flush',
      everyMs: config.alerts.delivery.tickSec * 1000,
      run: () => {
        store.transaction(() => services.alerting.tick());
        void deps.runNow('alert-delivery');
      },
    },
    {
      // Also on its own interval: retries with back-off come due without a flush.
      name: 'alert-delivery',
      everyMs: config.alerts.delivery.tickSec * 1000,
      run: async () => {
        await services.alerting.deliver();
      },
    },
    {
      // A tick with nothing due is one read; a due report is sent once (the report log records it).
      name: 'monthly-report',
      everyMs: 60_000,
      run: () => services.reports.tick(now()).then(() => undefined),
    },
    {
      name: 'rum-retention',
      everyMs: 3_600_000,
      run: () => {
        store.rum.prune(now() - config.rum.retentionDays * 86_400_000, now() - config.rum.idempotencySec * 1000);
      },
    },
    {
      // Each pass deletes a bounded number of chunks; when there is more (e.g. after rawDays was lowered),
      // the next pass comes a second later, yielding to requests in between, instead of a whole interval.
      // The first pass waits 30 s so that start-up is not slowed by it.
      name: 'retention',
      everyMs: config.retention.everyMinutes * 60_000,
      firstDelayMs: 30_000,
      backlogDelayMs: 1000,
      run: () => (store.applyRetention(config.retention, now()).more ? 'more' : undefined),
    },
    {
      // Pages then read figures instead of computing them: a cache miss on the overview is ≈ 0.6 s of
      // incident accounting at province scale, the dossiers month ≈ 0.7 s (docs/benchmarks.md).
      name: 'page-figures',
      everyMs: 50_000,
      firstDelayMs: 5_000,
      run: () => services.pageData.warm(now()),
    },
  ];
}
