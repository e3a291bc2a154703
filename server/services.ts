/**
 * The server's domain objects, built once from the store and the configuration: live state, org units,
 * calendars, the incident engine, alerting, monthly reports, the page-figure cache and the metrics
 * registry. `app.ts` connects them to HTTP; `app-jobs.ts` runs their periodic work. Nothing here
 * registers a route or starts a timer.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from './store/store.js';
import { applyVendors, type ServerConfig } from './config.js';
import { LiveState } from './metrics/live-state.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { IncidentEngine } from './outages/incident-engine.js';
import { seedShippedCalendars } from './calendar/seed.js';
import { CalendarBook } from './calendar/calendar-book.js';
import { loadUnits, Units } from './org/units.js';
import { Alerting } from './alerts/alerting.js';
import { DossierGauges } from './dossiers/dossier-metrics.js';
import { attributeDossiers } from './dossiers/attribution-report.js';
import { MonthlyReports } from './reports/monthly-schedule.js';
import { WebData } from './web/web-data.js';

export interface Services {
  live: LiveState;
  units: Units;
  calendars: CalendarBook;
  metrics: Metrics;
  incidents: IncidentEngine;
  alerting: Alerting;
  reports: MonthlyReports;
  /** Figures the pages read (overview uptime, the dossiers month), refreshed by the page-figures job. */
  pageData: WebData;
}

export function buildServices(deps: {
  store: Store;
  config: ServerConfig;
  now: () => number;
  log: FastifyBaseLogger;
}): Services {
  const { store, config, now, log } = deps;
  // Configs built by hand (tests, the OpenAPI build) get the vendor merge that loading a file does.
  applyVendors(config);
  const offsetMin = config.timezoneOffsetMinutes;
  const live = LiveState.fromStore(store);
  // Loaded here so an invalid units file stops the server at start, with located errors.
  const units = config.units ? loadUnits(config.units) : new Units();
  seedShippedCalendars(store.calendar, now(), log);
  const calendars = new CalendarBook({ calendar: store.calendar, units, offsetMin });
  const dossierGauges = new DossierGauges({
    now,
    everySec: 300,
    compute: (at) =>
      attributeDossiers(
        { store, calendars, config: config.dossiers },
        { from: at - 30 * 86_400_000, to: at, now: at, limit: 0 },
      ).byCommune,
  });
  const metrics = createMetrics({ live, store, dossierOverdue: () => dossierGauges.byCommune() });
  const alerting = new Alerting({
    store,
    config: config.alerts,
    units,
    calendars,
    offsetMin,
    now,
    log: log.child({ component: 'alerts' }),
    onDelivery: (channel, outcome) => metrics.notifications.inc({ channel, outcome }),
  });
  const incidents = new IncidentEngine({
    store: store.incidents,
    config: config.incidents,
    listAgents: () => store.listAgents(),
    log: log.child({ component: 'incidents' }),
    onChange: (id) => alerting.onIncident(id),
  });
  const reports = new MonthlyReports({
    store,
    reportLog: store.reports,
    units,
    calendars,
    config,
    now,
    log: log.child({ component: 'reports' }),
  });
  const pageData = new WebData({ store, live, units, calendars, offsetMin, dossiers: config.dossiers });
  return { live, units, calendars, metrics, incidents, alerting, reports, pageData };
}
