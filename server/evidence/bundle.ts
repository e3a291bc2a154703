/**
 * The vendor evidence bundle: for one vendor (the services it runs) and one period [from, to), every file a
 * vendor and the province need to settle "your software failed" against "it was your network" — figures in
 * JSON, CSV and XLSX, a print-ready HTML report with each incident's record, the same report as a PDF — and
 * the signed manifest that makes any later change visible (bundle-manifest.ts, bundle-verify.ts).
 *
 * One model (bundle-data.ts), scrubbed of secrets once, rendered to every format; each incident's record is
 * scrubbed as data before it is rendered (bundle-sanitize.ts says why); the files are then sealed.
 * Used by GET /api/v1/reports/vendor/:id (server/reports/vendor-bundle-routes.ts) and by
 * `communewatch report vendor` (cli/report-vendor-command.ts). docs/evidence.md describes the files.
 */
import { tableCsv, tableXlsx } from '../export/tabular.js';
import { gatherBundleData, type BundleData, type BundleQuery, type BundleSources } from './bundle-data.js';
import { reportHtml } from './bundle-html.js';
import { sealBundle, type BundleFiles, type Manifest } from './bundle-manifest.js';
import { bundleTables } from './bundle-tables.js';
import { scrubDeep } from './bundle-sanitize.js';
import type { IncidentRecord } from './incident-record.js';
import { RECORD_CSS, renderIncidentRecordHtml } from './incident-record-html.js';
import { loadPdfFonts, pdfFontDir, reportPdf } from './pdf-report.js';
import type { SigningKey } from './signing.js';

/**
 * The longest period a bundle covers, days: the API (querystring/to) and the CLI (--to) refuse longer ones,
 * as the dossier attribution does — a bundle is per contract period, and each month adds an SLA row per service.
 */
export const MAX_BUNDLE_DAYS = 400;

/** What buildVendorBundle needs besides the store: reports/vendor-bundle.ts vendorBundleDeps wires the server's. */
export interface BundleDeps extends BundleSources {
  /** The server's signing key (signing.ts), loaded on first use. */
  signingKey: () => SigningKey;
  serverVersion: string;
  /** The PDF font folder (default: COMMUNEWATCH_PDF_FONT_DIR, else Debian's DejaVu folder). */
  fontDir?: string;
  /**
   * An incident's record (biên bản), from the incident-record module; undefined when it has none. Scrubbed
   * here as data, then rendered in Vietnamese into report.html.
   */
  record?: (incidentId: number) => IncidentRecord | undefined;
  /** Progress lines (the CLI prints them). */
  progress?: (line: string) => void;
}

/** A built bundle: its files (manifest and signature included), the manifest, and the model they render. */
export interface VendorBundle {
  files: BundleFiles;
  manifest: Manifest;
  data: BundleData;
}

/** Builds and signs a vendor's bundle. Throws before any work when the PDF font is missing. */
export async function buildVendorBundle(deps: BundleDeps, q: BundleQuery): Promise<VendorBundle> {
  const say = deps.progress ?? (() => {});
  const fonts = loadPdfFonts(pdfFontDir(deps.fontDir));
  const key = deps.signingKey();
  say(`reading incidents, RUM errors and dossiers of ${q.vendor.id} (${q.vendor.services.join(', ')})`);
  const data = gatherBundleData(deps, q);
  const t = bundleTables(data);
  const period = `[${data.period.from}, ${data.period.to})`;
  const services = q.vendor.services.join(',');
  const vendorIncidents = `incidents with cause central-service or local-service on services ${services}, overlapping ${period}, counted (not deleted, superseded or merged)`;
  const content: Array<{ name: string; bytes: Uint8Array; query: string }> = [];
  const add = (name: string, bytes: Uint8Array, query: string) => content.push({ name, bytes, query });

  say('writing bundle.json and the tables (CSV, XLSX)');
  add(
    'bundle.json',
    Buffer.from(`${JSON.stringify(data, null, 2)}\n`),
    `everything below, as JSON; vendor ${q.vendor.id}, ${period}`,
  );
  const slaQuery = `availability per service ${services} and calendar month in ${period}, maintenance excluded, against the vendor's contracted target`;
  add('sla.csv', tableCsv(t.sla), slaQuery);
  add('sla.xlsx', await tableXlsx(t.sla), slaQuery);
  add('incidents.csv', tableCsv(t.incidents), vendorIncidents);
  add('incidents.xlsx', await tableXlsx(t.incidents), vendorIncidents);
  const notTheirsQuery = `incidents with cause commune-network or agent-silent overlapping ${period} at the communes that probe ${services} or had one of the vendor's incidents`;
  add('not-theirs.csv', tableCsv(t.notTheirs), notTheirsQuery);
  add('not-theirs.xlsx', await tableXlsx(t.notTheirs), notTheirsQuery);
  const rumQuery = `RUM error groups of the apps registered with services ${services}, seen in ${period} (counts: group totals)`;
  add('rum-errors.csv', tableCsv(t.rumErrors), rumQuery);
  add('rum-errors.xlsx', await tableXlsx(t.rumErrors), rumQuery);
  const dossierQuery = `dossiers due in ${period}, late, with verdict outage or partly-outage behind at least one of the vendor's incidents`;
  add('dossiers.csv', tableCsv(t.dossiers), dossierQuery);
  add('dossiers.xlsx', await tableXlsx(t.dossiers), dossierQuery);

  say('writing report.html and report.pdf');
  const records = new Map<number, string>();
  const recordData = new Map<number, IncidentRecord>();
  for (const i of data.incidents) {
    const record = deps.record?.(i.id);
    // Scrubbed before rendering: in HTML a quoted secret is `&quot;`-escaped and no longer looks like one.
    if (record === undefined) continue;
    const clean = scrubDeep(record);
    recordData.set(i.id, clean);
    records.set(i.id, String(renderIncidentRecordHtml(clean, { lang: 'vi', offsetMin: deps.offsetMin })));
  }
  add(
    'report.html',
    Buffer.from(
      reportHtml(data, { serverVersion: deps.serverVersion, keyId: key.keyId, records, recordCss: RECORD_CSS }),
    ),
    `the report of bundle.json, with the record of each of the vendor's incidents`,
  );
  add(
    'report.pdf',
    await reportPdf(data, {
      serverVersion: deps.serverVersion,
      keyId: key.keyId,
      fonts,
      now: q.now,
      records: recordData,
    }),
    "the report of bundle.json as PDF, with each of the vendor's incidents' record essentials (DejaVu Sans embedded)",
  );

  say(`signing the manifest with key ${key.keyId}`);
  const { files, manifest } = sealBundle(
    content,
    {
      generatedAt: new Date(q.now).toISOString(),
      serverVersion: deps.serverVersion,
      vendor: data.vendor,
      period: {
        from: new Date(q.from).toISOString(),
        to: new Date(q.to).toISOString(),
        timezoneOffsetMinutes: deps.offsetMin,
      },
    },
    key,
  );
  return { files, manifest, data };
}
