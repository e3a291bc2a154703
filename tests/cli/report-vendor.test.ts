/**
 * `communewatch report vendor` then `report verify`, as a user runs them (built CLI, real processes).
 * - The real bundle is authentic (exit 0, "authentic: signed by key …") with --key, --key-id, or --server
 *   pointing at a real CommuneWatch app on port 0 that serves the key; without any, exit 2 "NOT authenticated".
 * - A bundle with a changed figure, re-signed with a fresh key: exit 2 without a trusted key (it is
 *   self-consistent: that is why 2 is not 0), exit 1 naming manifest.json / manifest.sig against the real key,
 *   its id or its server.
 * - One flipped byte: exit 1 naming the file. --server failures and a too-long period give clear messages.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../server/store/sqlite-store.js';
import { databaseFile } from '../../server/main.js';
import { readBundle, writeBundleDir } from '../../server/evidence/bundle-files.js';
import { ENVELOPE_FILES, sealBundle, type Manifest } from '../../server/evidence/bundle-manifest.js';
import { keyIdOf, loadOrCreateSigningKey, type SigningKey } from '../../server/evidence/signing.js';
import { runCli } from '../helpers/agent-process.js';
import { startApiApp, type ApiApp } from '../helpers/api-app.js';
import { unusedPort } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';
import { NOW, seedScenario } from '../server/evidence/bundle-fixture.js';

const dir = tempDir('cw-report-vendor-');
const data = join(dir.path, 'data');
const config = join(dir.path, 'server.yaml');
const out = join(dir.path, 'bundle');
const forged = join(dir.path, 'forged');
const NOT_AUTHENTICATED =
  'integrity only — NOT authenticated (anyone can re-sign a bundle): pass --key, --server or --key-id';
let serverKey: SigningKey;
let api: ApiApp;
let serverUrl: string;

const vendorArgs = (from: string, to: string) => [
  'report',
  'vendor',
  '--vendor',
  'vnpt-it',
  '--from',
  from,
  '--to',
  to,
  '--out',
  out,
  '--config',
  config,
];

/** Changes one figure and re-seals the bundle with a fresh key of the forger's own. */
function forge(): string {
  const files = readBundle(out);
  const manifest = JSON.parse(Buffer.from(files.get('manifest.json')!).toString()) as Manifest;
  const csv = Buffer.from(files.get('incidents.csv')!).toString();
  // One row's minutes down made smaller: the figure a vendor would like to see.
  const smaller = csv.replace(/,120,|,120\r?\n|,"120"/, (m) => m.replace('120', '12'));
  if (smaller === csv) throw new Error(`no 120-minute figure to forge in incidents.csv:\n${csv}`);
  files.set('incidents.csv', Buffer.from(smaller));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const forger: SigningKey = {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  const content = [...files]
    .filter(([name]) => !ENVELOPE_FILES.includes(name))
    .map(([name, bytes]) => ({ name, bytes, query: manifest.files.find((f) => f.name === name)!.query }));
  const { format: _f, keyId: _k, files: _l, ...meta } = manifest;
  writeBundleDir(forged, sealBundle(content, meta, forger).files);
  return forger.keyId;
}

beforeAll(async () => {
  writeFileSync(
    config,
    `dataDir: ${data}\nvendors:\n  - id: vnpt-it\n    name: VNPT-IT\n    services: [one-stop-shop, civil-status]\n`,
  );
  const store = openSqliteStore({ file: databaseFile(data) });
  seedScenario(store);
  store.close();
  // The province's server, on the same data directory, so it serves the key `report vendor` signs with.
  api = await startApiApp({ now: () => NOW, configure: (c) => void (c.dataDir = data) });
  await api.built.app.listen({ port: 0, host: '127.0.0.1' });
  serverUrl = `http://127.0.0.1:${(api.built.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api.close();
  dir.remove();
});

describe('communewatch report vendor / verify', () => {
  it('builds a bundle, prints progress and a summary with the command to check it', async () => {
    const made = await runCli(vendorArgs('01/11/2026', '30/11/2026'));
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    serverKey = loadOrCreateSigningKey(data);
    writeFileSync(join(dir.path, 'key.pem'), serverKey.publicPem);
    expect(made.stdout).toContain('… signing the manifest with key');
    expect(made.stdout).toContain("1 incident(s) on the vendor's side, 1 not theirs (commune network)");
    expect(made.stdout).toContain(`Check it with: communewatch report verify ${out} --key-id ${serverKey.keyId}`);
  }, 60_000);

  it('says "authentic" with the real key, its id, or its server, and exits 0', async () => {
    for (const trust of [
      ['--key', join(dir.path, 'key.pem')],
      ['--key', join(data, 'signing-key.pem')],
      ['--key-id', serverKey.keyId],
      ['--server', serverUrl],
      ['--server', `${serverUrl}/`, '--key-id', serverKey.keyId],
    ]) {
      const ok = await runCli(['report', 'verify', out, ...trust]);
      expect(ok.stderr, trust.join(' ')).toBe('');
      expect(ok.code, trust.join(' ')).toBe(0);
      expect(ok.stdout).toContain(`authentic: signed by key ${serverKey.keyId}\n`);
      expect(ok.stdout).not.toContain('NOT authenticated');
    }
    const fromServer = await runCli(['report', 'verify', out, '--server', serverUrl]);
    expect(fromServer.stdout).toContain(
      `Trusted key ${serverKey.keyId} (from ${serverUrl}/.well-known/communewatch/signing-key.pem)`,
    );
    expect(fromServer.stdout).toContain('the key came over plain HTTP');
  }, 30_000);

  it('exits 2 "NOT authenticated" without a trusted key, even for the real bundle', async () => {
    const r = await runCli(['report', 'verify', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Signature: valid (Ed25519, the key in the bundle');
    expect(r.stdout).toContain(NOT_AUTHENTICATED);
    expect(r.stdout).not.toContain('authentic: signed');
    expect(r.stderr).toBe(`communewatch: ${NOT_AUTHENTICATED}\n`);
  });

  it('never passes a bundle re-signed with a fresh key', async () => {
    const forgerId = forge();
    const alone = await runCli(['report', 'verify', forged]);
    expect(alone.code).toBe(2);
    expect(alone.stdout).toContain(NOT_AUTHENTICATED);
    expect(alone.stdout).toContain(forgerId);
    for (const trust of [
      ['--key', join(dir.path, 'key.pem')],
      ['--key-id', serverKey.keyId],
      ['--server', serverUrl],
    ]) {
      const r = await runCli(['report', 'verify', forged, ...trust]);
      expect(r.code, trust.join(' ')).toBe(1);
      expect(r.stdout, trust.join(' ')).toContain(
        `✗ manifest.json / manifest.sig: signed by key ${forgerId}, not by the trusted key ${serverKey.keyId}`,
      );
      expect(r.stderr).toMatch(/^communewatch: the bundle does not verify: .*manifest\.json, manifest\.sig/);
      expect(r.stdout).not.toContain('authentic: signed');
    }
  }, 30_000);

  it('exits 1 naming the altered file, with or without a trusted key', async () => {
    cpSync(out, join(dir.path, 'flipped'), { recursive: true });
    const file = join(dir.path, 'flipped', 'incidents.csv');
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x01;
    writeFileSync(file, bytes);
    for (const trust of [[], ['--key-id', serverKey.keyId]]) {
      const bad = await runCli(['report', 'verify', join(dir.path, 'flipped'), ...trust]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain('✗ incidents.csv: altered');
      expect(bad.stderr).toBe('communewatch: the bundle does not verify: incidents.csv\n');
    }
  });

  it('says clearly when --server cannot give the key', async () => {
    const closed = `http://127.0.0.1:${await unusedPort()}`;
    const refused = await runCli(['report', 'verify', out, '--server', closed]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `communewatch: --server: could not fetch ${closed}/.well-known/communewatch/signing-key.pem: ECONNREFUSED\n`,
    );
    const notFound = await runCli(['report', 'verify', out, '--server', `${serverUrl}/nothing-here`]);
    expect(notFound.stderr).toContain(
      `--server: ${serverUrl}/nothing-here/.well-known/communewatch/signing-key.pem answered HTTP 404`,
    );
    // A server that accepts the connection and never answers.
    const silent: Server = createServer(() => {}).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const slow = await runCli(['report', 'verify', out, '--server', silentUrl, '--timeout', '0.3']);
      expect(slow.code).toBe(1);
      expect(slow.stderr).toContain(`signing-key.pem did not answer within 0.3 s (--timeout to wait longer)`);
    } finally {
      silent.close();
    }
    const ftp = await runCli(['report', 'verify', out, '--server', 'ftp://example.org']);
    expect(ftp.stderr).toContain('use an https:// (or http://) address');
  }, 30_000);

  it('refuses conflicting or malformed trust flags', async () => {
    const both = await runCli(['report', 'verify', out, '--key', join(dir.path, 'key.pem'), '--server', serverUrl]);
    expect(both.stderr).toContain('--key and --server both name the trusted key');
    const shortId = await runCli(['report', 'verify', out, '--key-id', 'abc123']);
    expect(shortId.stderr).toContain('--key-id "abc123": a key id is 64 hex digits');
    const wrongId = await runCli([
      'report',
      'verify',
      out,
      '--key',
      join(dir.path, 'key.pem'),
      '--key-id',
      'ab'.repeat(32),
    ]);
    expect(wrongId.code).toBe(1);
    expect(wrongId.stderr).toContain(`is key ${serverKey.keyId}, not that one`);
  });

  it('names an unknown vendor and the ones it knows', async () => {
    const args = vendorArgs('01/11/2026', '30/11/2026');
    args[args.indexOf('vnpt-it')] = 'nobody';
    const r = await runCli(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--vendor nobody: no such vendor in the config (known: vnpt-it)');
  });

  it('refuses a period over 400 days, as the API does', async () => {
    const r = await runCli(vendorArgs('01/01/2000', '30/11/2026'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--to: the period from --from is \d+ days; a bundle covers at most 400 days/);
  });
});
