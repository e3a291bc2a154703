/**
 * The vendor evidence bundle: for one vendor (the services it runs) and one period [from, to), every file a
 * vendor and the province need to settle "your software failed" against "it was your network" — figures in
 * JSON, CSV and XLSX, a print-ready HTML report with each incident's record, the same report as a PDF — and
 * the signed manifest that makes any later change visible (bundle-manifest.ts, bundle-verify.ts).
 *
 * One model (bundle-data.ts), scrubbed of secrets once, rendered to every format; the files are then sealed.
 * Used by GET /api/v1/reports/vendor/:id (server/reports/vendor-bundle-routes.ts) and by
 * `communewatch report vendor` (cli/report-vendor-command.ts). docs/evidence.md describes the files.
 */
import { tableCsv, tableXlsx } from '../export/tabular.js';
import { gatherBundleData, type BundleData, type BundleQuery, type BundleSources } from './bundle-data.js';
import { reportHtml } from './bundle-html.js';
import { sealBundle, type BundleFiles, type Manifest } from './bundle-manifest.js';
import { bundleTables } from './bundle-tables.js';
import { scrubText } from './bundle-sanitize.js';
import { loadPdfFonts, pdfFontDir, reportPdf } from './pdf-report.js';
import type { SigningKey } from './signing.js';

export interface BundleDeps extends BundleSources {
  /** The server's signing key (signing.ts), loaded on first use. */
  signingKey: () => SigningKey;
  serverVersion: string;
  /** The PDF font folder (default: COMMUNEWATCH_PDF_FONT_DIR, else Debian's DejaVu folder). */
  fontDir?: string;
  /**
   * An incident's record (biên bản) as an HTML fragment, from the incident-record module; undefined when it
   * has none. Scrubbed here like every other text.
   */
  renderRecord?: (incidentId: number) => string | undefined;
  /** The stylesheet of those fragments. */
  recordCss?: string;
  /** Progress lines (the CLI prints them). */
  progress?: (line: string) => void;
}

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
  const secrets = deps.secrets ?? [];
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
  add(
    'not-theirs.csv',
    tableCsv(t.notTheirs),
    `incidents with cause commune-network or agent-silent overlapping ${period} at the communes that probe ${services} or had one of the vendor's incidents`,
  );
  add(
    'rum-errors.csv',
    tableCsv(t.rumErrors),
    `RUM error groups of the apps registered with services ${services}, seen in ${period} (counts: group totals)`,
  );
  const dossierQuery = `dossiers due in ${period}, late, with verdict outage or partly-outage behind at least one of the vendor's incidents`;
  add('dossiers.csv', tableCsv(t.dossiers), dossierQuery);
  add('dossiers.xlsx', await tableXlsx(t.dossiers), dossierQuery);

  say('writing report.html and report.pdf');
  const records = new Map<number, string>();
  for (const i of data.incidents) {
    const fragment = deps.renderRecord?.(i.id);
    if (fragment !== undefined) records.set(i.id, scrubText(fragment, secrets));
  }
  add(
    'report.html',
    Buffer.from(
      reportHtml(data, { serverVersion: deps.serverVersion, keyId: key.keyId, records, recordCss: deps.recordCss }),
    ),
    `the report of bundle.json, with the record of each of the vendor's incidents`,
  );
  add(
    'report.pdf',
    await reportPdf(data, { serverVersion: deps.serverVersion, keyId: key.keyId, fonts, now: q.now }),
    'the report of bundle.json as PDF (DejaVu Sans embedded)',
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
