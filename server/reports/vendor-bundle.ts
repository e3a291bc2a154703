/**
 * The vendor bundle wired to the server's parts, for the API route and the CLI alike: the SLA table of
 * server/evidence/sla.ts (adapted to the bundle's rows), each incident's record (biên bản) of
 * server/evidence/incident-record*.ts, the vendors of the config, and the signing key in the data directory.
 * The bundle itself (server/evidence/bundle.ts) knows none of them: it takes them as parameters.
 */
import type { Store } from '../store/store.js';
import type { ServerConfig } from '../config.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import type { Units } from '../org/units.js';
import { VERSION } from '../../common/version.js';
import { mergeVendors, vendorById, type Vendor } from '../evidence/vendors.js';
import { slaReport, type SlaRow } from '../evidence/sla.js';
import { buildIncidentRecord } from '../evidence/incident-record.js';
import type { SlaLine } from '../evidence/bundle-data.js';
import type { BundleDeps } from '../evidence/bundle.js';
import type { SigningKey } from '../evidence/signing.js';

/** The server's parts the bundle is wired to. */
export interface VendorBundleWiring {
  store: Store;
  config: Pick<ServerConfig, 'vendors' | 'dossiers' | 'timezoneOffsetMinutes'>;
  calendars: CalendarBook;
  units: Units;
  signingKey: () => SigningKey;
  progress?: (line: string) => void;
}

const pct = (v: number | null): number | null => (v === null ? null : Math.round(v * 100_000) / 1000);

/** One SLA row as the bundle's tables show it. */
export function slaLine(r: SlaRow): SlaLine {
  return {
    service: r.service,
    month: r.month,
    communes: r.communes,
    incidents: r.incidents,
    availabilityPct: pct(r.allHours.availability),
    workingHoursAvailabilityPct: pct(r.workingHours.availability),
    targetPct: r.allHours.targetPct,
    workingHoursTargetPct: r.workingHours.targetPct,
    downMinutes: r.allHours.downMinutes,
    downCommuneMinutes: r.allHours.downCommuneMinutes,
    workingHoursDownMinutes: r.workingHours.downMinutes,
    maintenanceMinutes: Math.round(r.allHours.plannedMs / 60_000),
    met: r.allHours.met,
    workingHoursMet: r.workingHours.met,
  };
}

/** The configured vendor with this id (top-level `vendors:` and the deprecated `dossiers.vendors`). */
export function configuredVendor(config: VendorBundleWiring['config'], id: string): Vendor | undefined {
  return vendorById(mergeVendors(config), id);
}

/** Everything buildVendorBundle needs, from the server's parts; `now` dates the records. */
export function vendorBundleDeps(w: VendorBundleWiring, now: number): BundleDeps {
  const offsetMin = w.config.timezoneOffsetMinutes;
  const vendors = mergeVendors(w.config);
  return {
    store: w.store,
    calendars: w.calendars,
    units: w.units,
    dossiers: w.config.dossiers,
    offsetMin,
    signingKey: w.signingKey,
    serverVersion: VERSION,
    progress: w.progress,
    sla: ({ vendor, from, to }) =>
      slaReport(
        { store: w.store, units: w.units, calendars: w.calendars, offsetMin, vendors },
        { services: vendor.services, from, to },
      ).map(slaLine),
    // As an admin sees it: the bundle lists only the vendor's own incidents, and the builder scrubs the record.
    record: (id) => buildIncidentRecord({ store: w.store, units: w.units, now, offsetMin }, id, { role: 'admin' }),
  };
}
