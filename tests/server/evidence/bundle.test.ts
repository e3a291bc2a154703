/**
 * The vendor bundle built over the seeded scenario (bundle-fixture.ts): its figures, the PDF's Vietnamese text
 * (pdftotext), no secret in any file, and verification naming every altered, missing or extra file.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalendarBook } from '../../../server/calendar/calendar-book.js';
import { DossierConfigSchema, type DossierConfig } from '../../../server/dossiers/dossier-config.js';
import { Value } from 'typebox/value';
import { Units } from '../../../server/org/units.js';
import { openSqliteStore } from '../../../server/store/sqlite-store.js';
import type { Store } from '../../../server/store/store.js';
import { buildVendorBundle, type VendorBundle } from '../../../server/evidence/bundle.js';
import { readBundle, writeBundleDir, zipBundle } from '../../../server/evidence/bundle-files.js';
import { verifyBundle } from '../../../server/evidence/bundle-verify.js';
import { loadOrCreateSigningKey, SIGNING_KEY_FILE } from '../../../server/evidence/signing.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { NOW, PERIOD, SECRET_MARKERS, seedScenario, TXN_PASSWORD, VENDOR_A } from './bundle-fixture.js';

const dir = tempDir('cw-bundle-');
let store: Store;
let bundle: VendorBundle;
let ids: ReturnType<typeof seedScenario>['ids'];

/** A file's text as a reader would see it: XLSX unzipped, PDF through pdftotext. */
function readable(name: string, bytes: Uint8Array): string {
  if (name.endsWith('.xlsx'))
    return Object.values(unzipSync(bytes))
      .map((b) => Buffer.from(b).toString('utf8'))
      .join('\n');
  if (name.endsWith('.pdf')) {
    const path = join(dir.path, 'probe.pdf');
    writeFileSync(path, bytes);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
  }
  return Buffer.from(bytes).toString('utf8');
}

beforeAll(async () => {
  store = openSqliteStore({ file: join(dir.path, 'cw.db') });
  ids = seedScenario(store).ids;
  const units = new Units();
  const dossiers = Value.Default(DossierConfigSchema, {}) as DossierConfig;
  bundle = await buildVendorBundle(
    {
      store,
      units,
      calendars: new CalendarBook({ calendar: store.calendar, units, offsetMin: 420 }),
      dossiers,
      offsetMin: 420,
      signingKey: () => loadOrCreateSigningKey(join(dir.path, 'data')),
      serverVersion: '9.9.9-test',
      secrets: [TXN_PASSWORD],
      renderRecord: (id) => `<p>Biên bản #${id}: GET https://motcua.example.vn/api?token=REC-SECRET-12</p>`,
    },
    { vendor: VENDOR_A, ...PERIOD, now: NOW },
  );
}, 60_000);
afterAll(() => {
  store.close();
  dir.remove();
});

describe('the vendor bundle', () => {
  it('holds every file, listed in the manifest with its query', () => {
    expect([...bundle.files.keys()].sort()).toEqual(
      [
        'bundle.json',
        'dossiers.csv',
        'dossiers.xlsx',
        'incidents.csv',
        'incidents.xlsx',
        'manifest.json',
        'manifest.sig',
        'not-theirs.csv',
        'report.html',
        'report.pdf',
        'rum-errors.csv',
        'signing-key.pem',
        'sla.csv',
        'sla.xlsx',
      ].sort(),
    );
    expect(bundle.manifest.files.every((f) => f.query.length > 10)).toBe(true);
    expect(bundle.manifest.vendor.id).toBe('vnpt-it');
  });

  it('gives the hand-computed figures: vendor incidents, the network one apart, RUM, the charged dossier', () => {
    const d = bundle.data;
    expect(d.incidents.map((i) => [i.id, i.cause, i.service, i.downMinutes])).toEqual([
      [ids.a1, 'local-service', 'one-stop-shop', 120],
    ]);
    // The commune network outage at a commune the vendor serves, listed apart; vendor B's payment outage nowhere.
    expect(d.notTheirs.map((i) => [i.id, i.cause, i.downMinutes])).toEqual([[ids.n1, 'commune-network', 30]]);
    expect(d.rumErrors).toHaveLength(1);
    expect(d.rumErrors[0]).toMatchObject({
      app: 'motcua-laocai',
      count: 3,
      versions: { '2.3.1': 2, '2.3.0': 1 },
      browsers: { 'Chrome 120': 2, 'Firefox 115': 1 },
      communes: { '26734': 3 },
    });
    expect(d.rumErrors[0]!.sampleStack).toContain('submitForm');
    // Late 09:00–10:30 (90 working min); one-stop-shop down 08:00–10:00 inside its handling (120 min), all A's.
    expect(d.dossiers.map((x) => [x.code, x.verdict, x.chargedVerdict, x.lateMinutes, x.chargedMinutes])).toEqual([
      ['CT-0311-1', 'outage', 'outage', 90, 120],
    ]);
  });

  it('writes Vietnamese the PDF text layer gives back exactly', () => {
    const text = readable('report.pdf', bundle.files.get('report.pdf')!).replace(/\s+/g, ' ');
    for (const phrase of ['Phần mềm một cửa', 'Đường truyền', 'hộ tịch', 'Hồ sơ bằng chứng sự cố'])
      expect(text).toContain(phrase);
  });

  it('lets no secret into any file', () => {
    for (const [name, bytes] of bundle.files) {
      const text = readable(name, bytes);
      for (const marker of SECRET_MARKERS) expect(text, `${marker} in ${name}`).not.toContain(marker);
      expect(text, `an API key in ${name}`).not.toMatch(/cw[akr]_[0-9a-f]{16}_/);
      expect(text, `a password hash in ${name}`).not.toMatch(/scrypt\$\d/);
    }
    // The masked texts still say what happened.
    expect(readable('incidents.csv', bundle.files.get('incidents.csv')!)).toContain('https://motcua.example.vn/login');
  });

  it('keeps its key in the data dir, mode 0600', () => {
    expect(statSync(join(dir.path, 'data', SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
  });
});

describe('verify', () => {
  const fresh = (name: string) => {
    const out = join(dir.path, name);
    rmSync(out, { recursive: true, force: true });
    writeBundleDir(out, bundle.files);
    return out;
  };

  it('accepts the bundle as written, as a folder and as a zip, with the bundled and the trusted key', () => {
    const out = fresh('ok');
    expect(verifyBundle(out)).toMatchObject({ ok: true, keyUsed: 'bundle', altered: [], missing: [], extra: [] });
    const zip = join(dir.path, 'ok.zip');
    writeFileSync(zip, zipBundle(bundle.files, NOW));
    const trusted = loadOrCreateSigningKey(join(dir.path, 'data')).publicKey;
    expect(verifyBundle(zip, trusted)).toMatchObject({ ok: true, keyUsed: 'trusted' });
    expect(readBundle(zip).size).toBe(bundle.files.size);
  });

  it('names the file when any one byte of any file is flipped', () => {
    for (const name of bundle.files.keys()) {
      const out = fresh('flip');
      const path = join(out, name);
      const bytes = readFileSync(path);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0x01;
      writeFileSync(path, bytes);
      const r = verifyBundle(out);
      expect(r.ok, name).toBe(false);
      expect(r.altered, name).toContain(name);
      expect(r.problems.join('\n'), name).toContain(name);
    }
  });

  it('names a removed and an added file', () => {
    const out = fresh('moved');
    rmSync(join(out, 'sla.csv'));
    writeFileSync(join(out, 'extra.txt'), 'added later');
    const r = verifyBundle(out);
    expect(r).toMatchObject({ ok: false, missing: ['sla.csv'], extra: ['extra.txt'] });
  });

  it('fails against another key', () => {
    const out = fresh('other-key');
    const other = generateKeyPairSync('ed25519').publicKey;
    const r = verifyBundle(out, other);
    expect(r).toMatchObject({ ok: false, signatureValid: false, keyUsed: 'trusted' });
    expect(r.problems.join('\n')).toMatch(/not by the trusted key/);
  });

  it('can be checked with plain openssl', () => {
    const out = fresh('openssl');
    const sig = /^signature: (\S+)$/m.exec(readFileSync(join(out, 'manifest.sig'), 'utf8'))![1]!;
    writeFileSync(join(out, 'manifest.sig.bin'), Buffer.from(sig, 'base64'));
    const run = () =>
      execFileSync(
        'openssl',
        [
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          'signing-key.pem',
          '-rawin',
          '-in',
          'manifest.json',
          '-sigfile',
          'manifest.sig.bin',
        ],
        { cwd: out, encoding: 'utf8' },
      );
    expect(run()).toContain('Signature Verified Successfully');
    appendFileSync(join(out, 'manifest.json'), ' ');
    expect(run).toThrow();
  });
});
