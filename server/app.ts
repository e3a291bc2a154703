/**
 * The server as a fastify app, built from explicit dependencies so tests can build many (with `inject`
 * or on a real port) and `main.ts` only has to listen and shut down.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Store } from './store/store.js';
import type { ServerConfig } from './config.js';
import { registerErrorHandler } from './errors.js';
import { LiveState } from './metrics/live-state.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { metricsRoutes } from './metrics/routes.js';
import { healthRoutes } from './health/routes.js';
import { ingestRoutes } from './ingest/routes.js';
import { statusRoutes } from './web/routes.js';
import { planRoutes } from './plan/routes.js';
import { CatalogueSource, type PlanSource } from './plan/catalogue-source.js';
import { historyRoutes } from './api/history-routes.js';
import { systemRoutes } from './api/system-routes.js';

export interface AppDeps {
  store: Store;
  config: ServerConfig;
  now?: () => number;
  /** A pino logger for request logs; none (silent) when omitted, as in most tests. */
  logger?: FastifyBaseLogger;
  /** Labels every page as a demo (the `demo` command). */
  demo?: boolean;
  /** Probe plans for GET /api/v1/agent/config; default: from `config.catalogue`, none (no route) without it. */
  plans?: PlanSource;
}

export interface App {
  app: FastifyInstance;
  metrics: Metrics;
  live: LiveState;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const now = deps.now ?? Date.now;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Thousands of agents push every few seconds: a log line per request would drown the useful ones.
    // Rejections and failures are logged by the error handler; successes are counted in /metrics.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.ingest.bodyLimitBytes,
    ajv: { customOptions: { allErrors: false, coerceTypes: false, removeAdditional: false } },
  });
  const live = LiveState.fromStore(deps.store);
  const metrics = createMetrics({ live, store: deps.store });

  registerErrorHandler(app);
  await app.register(healthRoutes, { store: deps.store });
  await app.register(metricsRoutes, { metrics });
  await app.register(statusRoutes, { live, store: deps.store, now, demo: deps.demo });
  await app.register(historyRoutes, { store: deps.store, now, timezoneOffsetMinutes: deps.config.timezoneOffsetMinutes });
  await app.register(systemRoutes, { store: deps.store });
  await app.register(ingestRoutes, {
    store: deps.store,
    metrics,
    live,
    now,
    skewThresholdMs: deps.config.ingest.skewThresholdSec * 1000,
    bodyLimitBytes: deps.config.ingest.bodyLimitBytes,
  });
  // Loaded here so an invalid catalogue stops the server at start, with the same located errors as --check-config.
  const plans = deps.plans ?? (deps.config.catalogue ? new CatalogueSource({ file: deps.config.catalogue, log: app.log }) : undefined);
  if (plans) await app.register(planRoutes, { store: deps.store, plans });
  await app.ready();
  return { app, metrics, live };
}
