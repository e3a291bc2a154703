/**
 * `communewatch report vendor --vendor ID --from --to --out DIR`: builds a vendor's signed evidence bundle
 * from the server's database into a folder (docs/evidence.md), printing progress and a summary; and
 * `communewatch report verify BUNDLE [--key FILE | --server URL] [--key-id HEX]`: checks a bundle folder or zip
 * and names every altered, missing or extra file.
 *
 * Verify's exit codes: 0 — intact and signed by the key the checker trusts ("authentic: signed by key …");
 * 1 — something is wrong (each file named); 2 — intact, but checked only with the key inside the bundle,
 * which anyone re-signing a forged bundle can replace, so nothing is authenticated. A script that checks
 * `$? -eq 0` therefore never mistakes a self-consistent forgery for the server's bundle.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { ServerConfig } from '../server/config.js';
import { ExitError } from './program.js';

export interface ReportVendorFlags {
  vendor: string;
  from: string;
  to: string;
  out: string;
  data?: string;
  config?: string;
}

export interface ReportVerifyFlags {
  /** A PEM file holding the server's public key. */
  key?: string;
  /** The server's base URL: its key is fetched from URL/.well-known/communewatch/signing-key.pem. */
  server?: string;
  /** The expected key id (hex SHA-256 of the SPKI DER), e.g. read off the province's website. */
  keyId?: string;
  /** How long --server may take, in seconds (default 10). */
  timeout?: number;
}

/** Where the commands write and what time it is: the process's by default, injected by tests. */
export interface VendorIo {
  out: { write(text: string): unknown };
  now: () => number;
}

const DAY = 86_400_000;
const DATE_ONLY = /^(\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4})$/;
export const NOT_AUTHENTICATED =
  'integrity only — NOT authenticated (anyone can re-sign a bundle): pass --key, --server or --key-id';

/**
 * Runs `report vendor`: checks the vendor and the period (at most MAX_BUNDLE_DAYS days, the API's limit too)
 * against the config, builds the bundle from the database with the server's signing key (created in the data
 * directory on first use) and writes its files into `--out`. Throws, naming the flag, on an unknown vendor or a
 * bad period.
 */
export async function runReportVendor(
  flags: ReportVendorFlags,
  io: VendorIo = { out: process.stdout, now: Date.now },
): Promise<void> {
  const [
    { withReportContext },
    { buildVendorBundle, MAX_BUNDLE_DAYS },
    { writeBundleDir },
    { loadOrCreateSigningKey },
    { configuredVendor, vendorBundleDeps },
    { mergeVendors },
    { timeFlag },
  ] = await Promise.all([
    import('./report-context.js'),
    import('../server/evidence/bundle.js'),
    import('../server/evidence/bundle-files.js'),
    import('../server/evidence/signing.js'),
    import('../server/reports/vendor-bundle.js'),
    import('../server/evidence/vendors.js'),
    import('./store-access.js'),
  ]);
  const now = io.now();
  const checkFlags = (config: ServerConfig) => {
    const vendor = configuredVendor(config, flags.vendor);
    if (!vendor) {
      const known = mergeVendors(config).map((v) => v.id);
      const which = known.length ? `known: ${known.join(', ')}` : 'the config names no vendors: see docs/evidence.md';
      throw new Error(`--vendor ${flags.vendor}: no such vendor in the config (${which})`);
    }
    // A date alone is a whole day: --to 30/11/2026 includes the 30th, as the API's `to` does.
    const offset = config.timezoneOffsetMinutes;
    const from = timeFlag('--from', flags.from, offset);
    const to = timeFlag('--to', flags.to, offset) + (DATE_ONLY.test(flags.to.trim()) ? DAY : 0);
    if (from >= to) throw new Error('--from must be before --to');
    if (to - from > MAX_BUNDLE_DAYS * DAY)
      throw new Error(
        `--to: the period from --from is ${Math.ceil((to - from) / DAY)} days; a bundle covers at most ` +
          `${MAX_BUNDLE_DAYS} days (as the API): make one per period`,
      );
    return { vendor, from, to };
  };
  await withReportContext(flags, now, checkFlags, async ({ config, units, store, calendars }, { vendor, from, to }) => {
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
        `Check it with: communewatch report verify ${dir} --key-id ${bundle.manifest.keyId}\n`,
    );
  });
}

/** A trusted key and where it came from, for the report's first lines. */
interface TrustedKey {
  key: KeyObject;
  source: string;
}

/**
 * The server's public key from `server`/.well-known/communewatch/signing-key.pem (the URL may also be that
 * file's own URL). Throws, naming --server and the URL, when it is not http(s), does not answer within
 * `timeoutMs`, answers anything but 200, or answers no Ed25519 public key.
 */
export async function fetchServerKey(server: string, timeoutMs: number): Promise<TrustedKey & { plainHttp: boolean }> {
  const { WELL_KNOWN_KEY_PATH, publicKeyFromPem } = await import('../server/evidence/signing.js');
  let base: URL;
  try {
    base = new URL(server);
  } catch {
    throw new Error(`--server "${server}": not a URL; use the server's address, e.g. https://giamsat.laocai.gov.vn`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new Error(`--server "${server}": use an https:// (or http://) address`);
  const path = base.pathname.endsWith(WELL_KNOWN_KEY_PATH)
    ? base.pathname
    : `${base.pathname.replace(/\/+$/, '')}${WELL_KNOWN_KEY_PATH}`;
  const url = `${base.origin}${path}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/x-pem-file' } });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError')
      throw new Error(`--server: ${url} did not answer within ${timeoutMs / 1000} s (--timeout to wait longer)`);
    throw new Error(`--server: could not fetch ${url}: ${e.cause?.code ?? e.cause?.message ?? e.message}`);
  }
  let body: string;
  try {
    body = await res.text();
  } catch (err) {
    throw new Error(`--server: reading ${url} failed: ${(err as Error).message}`);
  }
  if (res.status !== 200)
    throw new Error(`--server: ${url} answered HTTP ${res.status}, not the signing key (is it a CommuneWatch server?)`);
  try {
    return { key: publicKeyFromPem(body), source: url, plainHttp: new URL(res.url || url).protocol === 'http:' };
  } catch {
    throw new Error(`--server: ${url} did not answer an Ed25519 public key (PEM)`);
  }
}

/** The key id as typed (case, spaces and colons as websites print fingerprints ignored), or a clear error. */
function keyIdFlag(text: string): string {
  const id = text.replace(/[\s:]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(id))
    throw new Error(`--key-id "${text}": a key id is 64 hex digits (the SHA-256 of the key), as signing-key.json says`);
  return id;
}

/**
 * Runs `report verify`: reads the trusted key (--key, or --server) and/or the expected key id (--key-id),
 * verifies the bundle and prints what was checked, each problem naming its file, and the verdict. Resolves
 * when the bundle is authentic; throws an Error naming the files when it is not intact (exit 1), and an
 * ExitError with code 2 when it is intact but no trusted key or key id was given.
 */
export async function runReportVerify(
  bundle: string,
  flags: ReportVerifyFlags,
  io: Pick<VendorIo, 'out'> = { out: process.stdout },
): Promise<void> {
  const [{ verifyBundle }, { publicKeyFromPem, keyIdOf }] = await Promise.all([
    import('../server/evidence/bundle-verify.js'),
    import('../server/evidence/signing.js'),
  ]);
  if (flags.key && flags.server)
    throw new Error('--key and --server both name the trusted key: pass one of them (and --key-id, if you like)');
  const keyId = flags.keyId === undefined ? undefined : keyIdFlag(flags.keyId);
  let trusted: TrustedKey | undefined;
  if (flags.key) {
    try {
      trusted = { key: publicKeyFromPem(readFileSync(flags.key)), source: flags.key };
    } catch (err) {
      throw new Error(`--key ${flags.key}: ${(err as Error).message}`);
    }
  } else if (flags.server) {
    const fetched = await fetchServerKey(flags.server, (flags.timeout ?? 10) * 1000);
    trusted = fetched;
    if (fetched.plainHttp)
      io.out.write('  note: the key came over plain HTTP, which anyone on the path could alter: prefer https://\n');
  }
  if (trusted && keyId && keyIdOf(trusted.key) !== keyId)
    throw new Error(`--key-id ${keyId}: the key from ${trusted.source} is key ${keyIdOf(trusted.key)}, not that one`);

  const r = verifyBundle(bundle, trusted ? { key: trusted.key } : keyId ? { keyId } : undefined);
  const m = r.manifest;
  if (m)
    io.out.write(
      `Bundle of ${m.vendor.name} (${m.vendor.id}), ${m.period.from} → ${m.period.to}, made ${m.generatedAt}\n`,
    );
  if (trusted) io.out.write(`Trusted key ${r.trustedKeyId} (from ${trusted.source})\n`);
  else if (keyId) io.out.write(`Trusted key id ${keyId} (--key-id): the key in the bundle must be that one\n`);
  const used =
    r.keyUsed === 'trusted' ? 'the trusted key' : r.keyUsed === 'bundle' ? 'the key in the bundle' : 'no key';
  io.out.write(
    `Signature: ${r.signatureValid ? 'valid' : 'INVALID'} (Ed25519, ${used}${r.keyId ? ` ${r.keyId}` : ''})\n`,
  );
  io.out.write(
    `Files: ${r.matched.length} match the manifest, ${r.altered.length} altered, ${r.missing.length} missing, ` +
      `${r.extra.length} extra\n`,
  );
  for (const p of r.problems) io.out.write(`  ✗ ${p}\n`);
  for (const n of r.notes) io.out.write(`  note: ${n}\n`);
  if (!r.ok) {
    const named = [...new Set([...r.altered, ...r.missing, ...r.extra])];
    throw new Error(`the bundle does not verify${named.length ? `: ${named.join(', ')}` : ''}`);
  }
  if (!r.authentic) {
    io.out.write(`${NOT_AUTHENTICATED}\n`);
    throw new ExitError(NOT_AUTHENTICATED, 2);
  }
  io.out.write(`authentic: signed by key ${r.keyId}\n`);
}
