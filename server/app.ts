/**
 * The server as a fastify app, built from explicit dependencies so tests can build many (with `inject`
 * or on a real port) and `main.ts` only has to listen and shut down.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Store } from './store/store.js';
import type { ServerConfig } from './config.js';
import { registerErrorHandler } from './errors.js';
import { registerOpenApi } from './api/openapi.js';
import { LiveState } from './metrics/live-state.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
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
import { IncidentEngine } from './outages/incident-engine.js';
import { incidentRoutes } from './outages/routes.js';
import { seedShippedCalendars } from './calendar/seed.js';
import { CalendarBook } from './calendar/calendar-book.js';
import { loadUnits, Units } from './org/units.js';
import { Alerting } from './alerts/alerting.js';
import { alertRoutes } from './alerts/routes.js';
import { calendarRoutes } from './calendar/routes.js';
import { dossierRoutes } from './dossiers/routes.js';
import { DossierGauges } from './dossiers/dossier-metrics.js';
import { attributeDossiers } from './dossiers/attribution-report.js';
import { MonthlyReports } from './reports/monthly-schedule.js';
import { rumRoutes } from './rum/routes.js';
import { rumReadRoutes } from './rum/read-routes.js';

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
   * Background timers (default true): silent-agent checks every `incidents.agentSilent.checkEverySec`,
   * alert flushes and deliveries every `alerts.delivery.tickSec`. Tests with an injected clock turn them
   * off and call `incidents.checkSilence()`, `alerting.tick()` and `alerting.deliver()` themselves.
   */
  timers?: boolean;
}

export interface App {
  app: FastifyInstance;
  metrics: Metrics;
  live: LiveState;
  incidents: IncidentEngine;
  alerting: Alerting;
  calendars: CalendarBook;
  units: Units;
  reports: MonthlyReports;
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
  const live = LiveState.fromStore(deps.store);
  // Loaded here so an invalid units file stops the server at start, with located errors.
  const units = deps.config.units ? loadUnits(deps.config.units) : new Units();
  seedShippedCalendars(deps.store.calendar, now(), app.log);
  const calendars = new CalendarBook({
    calendar: deps.store.calendar,
    units,
    offsetMin: deps.config.timezoneOffsetMinutes,
  });
  const dossierGauges = new DossierGauges({
    now,
    everySec: 300,
    compute: (at) =>
      attributeDossiers(
        { store: deps.store, calendars, config: deps.config.dossiers },
        { from: at - 30 * 86_400_000, to: at, now: at, limit: 0 },
      ).byCommune,
  });
  const alerting = new Alerting({
    store: deps.store,
    config: deps.config.alerts,
    units,
    calendars,
    offsetMin: deps.config.timezoneOffsetMinutes,
    now,
    log: app.log.child({ component: 'alerts' }),
    onDelivery: (channel, outcome) => metrics.notifications.inc({ channel, outcome }),
  });
  const incidents = new IncidentEngine({
    store: deps.store.incidents,
    config: deps.config.incidents,
    listAgents: () => deps.store.listAgents(),
    log: app.log.child({ component: 'incidents' }),
    onChange: (id) => alerting.onIncident(id),
  });
  const reports = new MonthlyReports({
    store: deps.store,
    reportLog: deps.store.reports,
    units,
    calendars,
    config: deps.config,
    now,
    log: app.log.child({ component: 'reports' }),
  });
  if (deps.timers !== false) {
    const every = (ms: number, what: string, fn: () => unknown) => {
      const timer = setInterval(() => {
        try {
          const done = fn();
          if (done instanceof Promise)
            done.catch((err: unknown) => app.log.error({ err }, `${what} failed; will try again`));
        } catch (err) {
          app.log.error({ err }, `${what} failed; will try again`);
        }
      }, ms);
      timer.unref();
      app.addHook('onClose', async () => clearInterval(timer));
    };
    every(deps.config.incidents.agentSilent.checkEverySec * 1000, 'agent silence check', () =>
      deps.store.transaction(() => incidents.checkSilence(now())),
    );
    let delivering = false;
    every(deps.config.alerts.delivery.tickSec * 1000, 'alert flush', async () => {
      deps.store.transaction(() => alerting.tick());
      if (delivering) return;
      delivering = true;
      try {
        await alerting.deliver();
      } finally {
        delivering = false;
      }
    });
    every(60_000, 'monthly report', () => reports.tick(now()));
    every(3_600_000, 'RUM retention', () =>
      deps.store.rum.prune(
        now() - deps.config.rum.retentionDays * 86_400_000,
        now() - deps.config.rum.idempotencySec * 1000,
      ),
    );
  }
  const metrics = createMetrics({ live, store: deps.store, dossierOverdue: () => dossierGauges.byCommune() });

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
    timers: deps.timers,
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
  return { app, metrics, live, incidents, alerting, calendars, units, reports };
}
