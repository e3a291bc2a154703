/**
 * `communewatch report vendor --vendor ID --from --to --out DIR`: builds a vendor's signed evidence bundle
 * from the server's database into a folder (docs/evidence.md), printing progress and a summary; and
 * `communewatch report verify BUNDLE [--key key.pem]`: checks a bundle folder or zip, names every altered,
 * missing or extra file, and exits 1 when anything is wrong. Verification needs no database and no server.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface ReportVendorFlags {
  vendor: string;
  from: string;
  to: string;
  out: string;
  data?: string;
  config?: string;
}

export interface ReportVerifyFlags {
  key?: string;
}

/** Where the commands write and what time it is: the process's by default, injected by tests. */
export interface VendorIo {
  out: { write(text: string): unknown };
  now: () => number;
}

const DAY = 86_400_000;
const DATE_ONLY = /^(\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4})$/;

export async function runReportVendor(
  flags: ReportVendorFlags,
  io: VendorIo = { out: process.stdout, now: Date.now },
): Promise<void> {
  const [
    { loadServerConfig },
    { databaseFile },
    { openSqliteStore },
    { loadUnits, Units },
    { CalendarBook },
    { seedShippedCalendars },
    { buildVendorBundle },
    { writeBundleDir },
    { loadOrCreateSigningKey },
    { configuredVendor, vendorBundleDeps },
    { mergeVendors },
    { timeFlag },
  ] = await Promise.all([
    import('../server/config.js'),
    import('../server/main.js'),
    import('../server/store/sqlite-store.js'),
    import('../server/org/units.js'),
    import('../server/calendar/calendar-book.js'),
    import('../server/calendar/seed.js'),
    import('../server/evidence/bundle.js'),
    import('../server/evidence/bundle-files.js'),
    import('../server/evidence/signing.js'),
    import('../server/reports/vendor-bundle.js'),
    import('../server/evidence/vendors.js'),
    import('./store-access.js'),
  ]);
  const config = loadServerConfig({ config: flags.config, data: flags.data });
  const offset = config.timezoneOffsetMinutes;
  const vendor = configuredVendor(config, flags.vendor);
  if (!vendor) {
    const known = mergeVendors(config).map((v) => v.id);
    throw new Error(
      `--vendor ${flags.vendor}: no such vendor in the config (${known.length ? `known: ${known.join(', ')}` : 'the config names no vendors: see docs/evidence.md'})`,
    );
  }
  // A date alone is a whole day: --to 30/11/2026 includes the 30th, as the API's `to` does.
  const from = timeFlag('--from', flags.from, offset);
  const to = timeFlag('--to', flags.to, offset) + (DATE_ONLY.test(flags.to.trim()) ? DAY : 0);
  if (from >= to) throw new Error('--from must be before --to');
  const units = config.units ? loadUnits(config.units) : new Units();
  const now = io.now();
  const store = openSqliteStore({ file: databaseFile(config.dataDir), dayOffsetMinutes: offset });
  try {
    seedShippedCalendars(store.calendar, now);
    const calendars = new CalendarBook({ calendar: store.calendar, units, offsetMin: offset });
    const deps = vendorBundleDeps(
      {
        store,
        config,
        calendars,
        units,
        signingKey: () => loadOrCreateSigningKey(config.dataDir),
        progress: (line) => io.out.write(`… ${line}\n`),
      },
      now,
    );
    const bundle = await buildVendorBundle(deps, { vendor, from, to, now });
    const dir = resolve(flags.out);
    writeBundleDir(dir, bundle.files);
    const d = bundle.data;
    io.out.write(
      `Bundle for ${vendor.name} (${vendor.id}), ${d.period.from} → ${d.period.to}, written to ${dir}:\n` +
        `  ${d.incidents.length} incident(s) on the vendor's side, ${d.notTheirs.length} not theirs (commune network), ` +
        `${d.rumErrors.length} RUM error group(s), ${d.dossiers.length} overdue dossier(s), ` +
        `${d.sla?.length ?? 0} SLA row(s)\n` +
        `  ${bundle.files.size} files; manifest signed with key ${bundle.manifest.keyId}\n` +
        `Check it with: communewatch report verify ${dir}\n`,
    );
  } finally {
    store.close();
  }
}

export async function runReportVerify(
  bundle: string,
  flags: ReportVerifyFlags,
  io: Pick<VendorIo, 'out'> = { out: process.stdout },
): Promise<void> {
  const [{ verifyBundle }, { publicKeyFromPem, keyIdOf }] = await Promise.all([
    import('../server/evidence/bundle-verify.js'),
    import('../server/evidence/signing.js'),
  ]);
  const trusted = flags.key ? publicKeyFromPem(readFileSync(flags.key)) : undefined;
  const r = verifyBundle(bundle, trusted);
  const m = r.manifest;
  if (m)
    io.out.write(
      `Bundle of ${m.vendor.name} (${m.vendor.id}), ${m.period.from} → ${m.period.to}, made ${m.generatedAt}\n`,
    );
  if (trusted) io.out.write(`Trusted key ${keyIdOf(trusted)} (${flags.key})\n`);
  io.out.write(
    `Signature: ${r.signatureValid ? 'valid' : 'INVALID'} (Ed25519, ${r.keyUsed === 'trusted' ? 'the trusted key' : r.keyUsed === 'bundle' ? 'the key in the bundle' : 'no key'}${r.keyId ? ` ${r.keyId}` : ''})\n`,
  );
  io.out.write(
    `Files: ${r.matched.length} match the manifest, ${r.altered.length} altered, ${r.missing.length} missing, ${r.extra.length} extra\n`,
  );
  for (const p of r.problems) io.out.write(`  ✗ ${p}\n`);
  for (const n of r.notes) io.out.write(`  note: ${n}\n`);
  if (!r.ok) {
    const named = [...new Set([...r.altered, ...r.missing, ...r.extra])];
    throw new Error(`the bundle does not verify${named.length ? `: ${named.join(', ')}` : ''}`);
  }
  io.out.write('OK: the bundle is exactly as the server signed it.\n');
}
