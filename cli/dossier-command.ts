/**
 * `communewatch dossiers import FILE`: dossier records from a CSV or XLSX export. Every bad row is
 * reported (row, column, value, reason); nothing is imported unless --partial; re-importing the same file
 * changes nothing. Progress goes to stderr for large files.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadServerConfig } from '../server/config.js';
import { loadUnits, Units } from '../server/org/units.js';
import { DOSSIER_FIELDS, type DossierField } from '../server/dossiers/fields.js';
import { fileKind, readRows } from '../server/dossiers/readers.js';
import { importRows } from '../server/dossiers/importer.js';
import { cliActor, withStore, type StoreFlags } from './store-access.js';

const MAX_SHOWN = 50;

/** A mapping file: YAML or JSON `{ "header as in the file": field }`. */
function loadMapping(file: string): Record<string, DossierField> {
  const data = parseYaml(readFileSync(file, 'utf8')) as unknown;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new Error(`${file}: a mapping is "header in the file": field, one per line`);
  for (const [header, field] of Object.entries(data)) {
    if (!(DOSSIER_FIELDS as readonly string[]).includes(String(field)))
      throw new Error(`${file}: "${header}": ${String(field)} is not a field (${DOSSIER_FIELDS.join(', ')})`);
  }
  return data as Record<string, DossierField>;
}

export async function runDossierImport(
  file: string,
  flags: { source: string; partial?: boolean; mapping?: string } & StoreFlags,
): Promise<void> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(flags.source))
    throw new Error('--source must be a short name: letters, digits, . _ - (e.g. motcua-laocai)');
  const kind = fileKind(file);
  if (!kind) throw new Error(`${file}: give a .csv or .xlsx file`);
  const config = loadServerConfig({ config: flags.config, data: flags.data });
  const units = config.units ? loadUnits(config.units) : new Units();
  const mapping = flags.mapping ? loadMapping(flags.mapping) : undefined;
  const started = Date.now();
  await withStore(flags, async (store, offset) => {
    const report = await importRows(readRows(file, kind), {
      store,
      units,
      offsetMinutes: offset,
      source: flags.source,
      fileName: basename(file),
      actor: cliActor(),
      now: Date.now,
      partial: flags.partial === true,
      ...(mapping && { mapping }),
      onProgress: (rows) =>
        process.stderr.write(
          `… ${rows.toLocaleString('en')} rows read (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
        ),
    });
    for (const p of report.problems.slice(0, MAX_SHOWN))
      process.stderr.write(`row ${p.row}, ${p.column} = "${p.value}": ${p.reason}\n`);
    if (report.problems.length > MAX_SHOWN)
      process.stderr.write(
        `… and ${report.problems.length - MAX_SHOWN} more problems (all kept with import ${report.importId})\n`,
      );
    if (report.ignoredHeaders.length > 0)
      process.stderr.write(`columns not used: ${report.ignoredHeaders.join(', ')}\n`);
    const took = ((Date.now() - started) / 1000).toFixed(1);
    if (report.status === 'refused') {
      throw new Error(
        `import ${report.importId} refused: ${report.invalid} of ${report.rows} rows have problems; ` +
          `nothing was imported (fix them, or use --partial to import the ${report.valid} good rows)`,
      );
    }
    process.stdout.write(
      `Import ${report.importId}: ${report.rows} rows in ${took} s — ` +
        `${report.inserted} new, ${report.updated} updated, ${report.unchanged} unchanged` +
        `${report.invalid ? `, ${report.invalid} skipped (bad)` : ''}.\n`,
    );
  });
}
