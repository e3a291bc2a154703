/**
 * The bundle's tables, as server/export/tabular.ts writes them (CSV with BOM, XLSX; formula-safe): one
 * definition per table from the bundle model, with headers in Vietnamese and English and times in local
 * dd/MM/yyyy HH:mm as officials read them (bundle.json keeps ISO 8601). Minutes are numbers, not text, so a
 * spreadsheet can sum them; each minutes column says its unit, as the SLA table mixes two: minutes during
 * which at least one commune was down (how long the vendor had a problem) and commune-minutes, summed over
 * communes (what users lost; maintenance is counted this way too, see sla.ts).
 */
import type { Cell, Tabular } from '../export/tabular.js';
import type { BundleData, IncidentEntry } from './bundle-data.js';
import { both, bt, label, type BundleKey } from './bundle-text.js';

const heads = (keys: BundleKey[]): string[] => keys.map((k) => both(k));
/** "03/11/2026 08:30" from the model's ISO-with-offset text (already local). */
export const shown = (iso: string | null): string =>
  iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}` : '';
const bilingual = (prefix: 'service' | 'cause' | 'severity' | 'verdict', v: string | null): string =>
  v === null ? '' : `${label('vi', prefix, v)} / ${label('en', prefix, v)}`;
const spread = (m: Record<string, number>): string =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} (${n})`)
    .join('; ');

const met = (m: boolean | null): string => (m === null ? '' : m ? both('yes') : both('no'));

/** The incident's communes as "Xã Bảo Hà (26734); 26737", names where the units file knows them. */
export function communeList(i: IncidentEntry): string {
  return i.communes.map((c) => (c.name ? `${c.name} (${c.code})` : c.code)).join('; ');
}

/** One line per acknowledgement or reply: "03/11/2026 10:40 vnpt (nhà cung cấp / vendor): text". */
export function replyLines(i: IncidentEntry): string {
  return i.replies
    .map((r) => {
      const who = r.role === 'vendor' ? both('reply_vendor') : both('reply_admin');
      const text = r.kind === 'ack' && r.text === '' ? both('reply_ack') : r.text;
      return `${shown(r.at)} ${r.author} (${who}): ${text}`;
    })
    .join('\n');
}

function incidentTable(name: string, sheet: string, rows: IncidentEntry[]): Tabular {
  return {
    name,
    sheet,
    headers: heads([
      'col_id',
      'col_service',
      'col_cause',
      'col_severity',
      'col_start',
      'col_end',
      'col_down_min',
      'col_communes',
      'col_ack',
      'col_vendor_ack',
      'col_note',
      'col_replies',
    ]),
    rows: rows.map((i): Cell[] => [
      i.id,
      i.service === null ? '' : bilingual('service', i.service),
      bilingual('cause', i.cause),
      bilingual('severity', i.severity),
      shown(i.startedAt),
      i.endedAt ? shown(i.endedAt) : `${bt('vi', 'open')} / ${bt('en', 'open')}`,
      i.downMinutes,
      communeList(i),
      shown(i.acknowledgedAt),
      shown(i.vendorAcknowledgedAt),
      i.note,
      replyLines(i),
    ]),
  };
}

/**
 * Every table of the bundle (CSV, XLSX, and the tables of report.html and report.pdf), keyed by role; each
 * table's `name` is its file's base name.
 */
export function bundleTables(d: BundleData): {
  sla: Tabular;
  incidents: Tabular;
  notTheirs: Tabular;
  rumErrors: Tabular;
  dossiers: Tabular;
} {
  return {
    sla: {
      name: 'sla',
      sheet: 'SLA',
      headers: heads([
        'col_service',
        'col_month',
        'col_communes_n',
        'col_incidents_n',
        'col_avail',
        'col_target',
        'col_met',
        'col_avail_work',
        'col_target_work',
        'col_met_work',
        'col_sla_down_min',
        'col_down_commune_min',
        'col_down_work_min',
        'col_maint_min',
      ]),
      rows: (d.sla ?? []).map((s): Cell[] => [
        bilingual('service', s.service),
        s.month,
        s.communes,
        s.incidents,
        s.availabilityPct,
        s.targetPct,
        met(s.met),
        s.workingHoursAvailabilityPct,
        s.workingHoursTargetPct,
        met(s.workingHoursMet),
        s.downMinutes,
        s.downCommuneMinutes,
        s.workingHoursDownMinutes,
        s.maintenanceMinutes,
      ]),
    },
    incidents: incidentTable('incidents', 'Incidents', d.incidents),
    notTheirs: incidentTable('not-theirs', 'Not the vendor', d.notTheirs),
    rumErrors: {
      name: 'rum-errors',
      sheet: 'RUM errors',
      headers: heads([
        'col_app',
        'col_message',
        'col_count',
        'col_first',
        'col_last',
        'col_versions',
        'col_browsers',
        'col_communes',
        'col_stack',
      ]),
      rows: d.rumErrors.map((g): Cell[] => [
        g.app,
        `${g.type}: ${g.message}`,
        g.count,
        shown(g.firstSeen),
        shown(g.lastSeen),
        spread(g.versions),
        spread(g.browsers),
        spread(g.communes),
        g.sampleStack,
      ]),
    },
    dossiers: {
      name: 'dossiers',
      sheet: 'Dossiers',
      headers: heads([
        'col_code',
        'col_procedure',
        'col_field',
        'col_commune',
        'col_received',
        'col_due',
        'col_finished',
        'col_verdict',
        'col_charged_verdict',
        'col_late_min',
        'col_outage_min',
        'col_charged_min',
        'col_incidents',
      ]),
      rows: d.dossiers.map((x): Cell[] => [
        x.code,
        x.procedureName ?? x.procedureCode,
        x.field,
        x.communeName ? `${x.communeName} (${x.commune})` : x.commune,
        shown(x.receivedAt),
        shown(x.dueAt),
        shown(x.finishedAt),
        bilingual('verdict', x.verdict),
        bilingual('verdict', x.chargedVerdict),
        x.lateMinutes,
        x.outageMinutes,
        x.chargedMinutes,
        x.incidentIds.join(' '),
      ]),
    },
  };
}
