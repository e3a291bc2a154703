/**
 * The server as a fastify app, built from explicit dependencies so tests can build many (with `inject`
 * or on a real port) and `main.ts` only has to listen and shut down.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Store } from './store/store.js';
import type { ServerConfig } from './config.js';
import { registerErrorHandler } from './errors.js';
import { registerOpenApi } from './api/openapi.js';
import { buildServices, type Services } from './services.js';
import { Jobs } from './jobs.js';
import { appJobs } from './app-jobs.js';
import { registerJobMetrics } from './metrics/job-metrics.js';
import { metricsRoutes } from './metrics/routes.js';
import { healthRoutes } from './health/routes.js';
import { ingestRoutes } from './ingest/routes.js';
import { statusApiRoutes, webRoutes } from './web/routes.js';
import cookie from '@fastify/cookie';
import { registerPrincipalResolver } from './auth/principal.js';
import { planRoutes } from './plan/routes.js';
import { CatalogueSource, type PlanSource } from './plan/catalogue-source.js';
import { historyRoutes } from './api/history-routes.js';
import { systemRoutes } from './api/system-routes.js';
import { incidentRoutes } from './outages/routes.js';
import { alertRoutes } from './alerts/routes.js';
import { calendarRoutes } from './calendar/routes.js';
import { dossierRoutes } from './dossiers/routes.js';
import { rumRoutes } from './rum/routes.js';
import { rumReadRoutes } from './rum/read-routes.js';
import { vendorBundleRoutes } from './reports/vendor-bundle-routes.js';

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
  /**
   * Run the periodic jobs (default true; the list is in app-jobs.ts). Tests with an injected clock turn
   * them off and call `incidents.checkSilence()`, `alerting.tick()`, `alerting.deliver()` or
   * `jobs.runNow(name)` themselves.
   */
  timers?: boolean;
}

/** The app, and the domain objects behind it (services.ts) for tests and the CLI to drive. */
export interface App extends Services {
  app: FastifyInstance;
  /** The periodic jobs (running unless `timers: false`); tests may `runNow(name)` one. */
  jobs: Jobs;
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
    trustProxy: deps.config.web.trustProxy,
  });
  const services = buildServices({ store: deps.store, config: deps.config, now, log: app.log });
  const { live, units, calendars, metrics, incidents } = services;
  const jobs = new Jobs({ log: app.log.child({ component: 'jobs' }), now });
  registerJobMetrics(metrics.registry, () => jobs.status());
  for (const job of appJobs({ store: deps.store, config: deps.config, now, services, runNow: (n) => jobs.runNow(n) }))
    jobs.add(job);
  if (deps.timers !== false) app.addHook('onReady', async () => jobs.start());
  // Stopped and awaited on close, before main.ts closes the store: no job writes to a closed store.
  app.addHook('onClose', async () => jobs.stop());

  registerErrorHandler(app);
  await registerOpenApi(app);
  await app.register(cookie);
  registerPrincipalResolver(app, { store: deps.store, now, web: deps.config.web });
  await app.register(healthRoutes, { store: deps.store });
  await app.register(metricsRoutes, { metrics });
  await app.register(statusApiRoutes, { live, now });
  // The UI reports its own users' errors and vitals through the same script vendors embed (dogfooding).
  const uiRum = deps.config.rum.instrumentUi ? deps.store.rum.selfApp('communewatch-ui', now()) : undefined;
  await app.register(webRoutes, {
    store: deps.store,
    live,
    units,
    calendars,
    dossiers: deps.config.dossiers,
    web: deps.config.web,
    alerts: deps.config.alerts,
    now,
    offsetMin: deps.config.timezoneOffsetMinutes,
    demo: deps.demo,
    rumKey: uiRum?.key,
    pageData: services.pageData,
  });
  await app.register(historyRoutes, {
    store: deps.store,
    now,
    timezoneOffsetMinutes: deps.config.timezoneOffsetMinutes,
  });
  await app.register(systemRoutes, { store: deps.store });
  await app.register(ingestRoutes, {
    store: deps.store,
    metrics,
    live,
    now,
    skewThresholdMs: deps.config.ingest.skewThresholdSec * 1000,
    bodyLimitBytes: deps.config.ingest.bodyLimitBytes,
    incidents,
  });
  await app.register(incidentRoutes, {
    store: deps.store,
    now,
    units,
    calendars,
    offsetMin: deps.config.timezoneOffsetMinutes,
  });
  await app.register(alertRoutes, { store: deps.store, now });
  await app.register(rumRoutes, {
    store: deps.store,
    metrics,
    config: deps.config.rum,
    now,
    offsetMin: deps.config.timezoneOffsetMinutes,
    canonical: (c) => units.canonical(c),
  });
  await app.register(rumReadRoutes, { store: deps.store, now });
  await app.register(vendorBundleRoutes, { store: deps.store, config: deps.config, calendars, units, now });
  await app.register(calendarRoutes, {
    store: deps.store,
    now,
    calendars,
    offsetMin: deps.config.timezoneOffsetMinutes,
  });
  await app.register(dossierRoutes, {
    store: deps.store,
    units,
    calendars,
    config: deps.config.dossiers,
    now,
    offsetMinutes: deps.config.timezoneOffsetMinutes,
  });
  // Loaded here so an invalid catalogue stops the server at start, with the same located errors as --check-config.
  const plans =
    deps.plans ??
    (deps.config.catalogue ? new CatalogueSource({ file: deps.config.catalogue, log: app.log }) : undefined);
  if (plans) await app.register(planRoutes, { store: deps.store, plans });
  await app.ready();
  return { ...services, app, jobs };
}
