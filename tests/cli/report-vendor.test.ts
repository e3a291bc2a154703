/**
 * `communewatch report vendor` then `report verify`, as a user runs them (built CLI, real processes): the
 * bundle verifies (exit 0); after one byte of one file is changed, verify exits 1 naming that file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../server/store/sqlite-store.js';
import { databaseFile } from '../../server/main.js';
import { runCli } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { seedScenario } from '../server/evidence/bundle-fixture.js';

const dir = tempDir('cw-report-vendor-');
const data = join(dir.path, 'data');
const config = join(dir.path, 'server.yaml');
const out = join(dir.path, 'bundle');

beforeAll(() => {
  writeFileSync(
    config,
    `dataDir: ${data}\nvendors:\n  - id: vnpt-it\n    name: VNPT-IT\n    services: [one-stop-shop, civil-status]\n`,
  );
  const store = openSqliteStore({ file: databaseFile(data) });
  seedScenario(store);
  store.close();
});
afterAll(() => dir.remove());

describe('communewatch report vendor / verify', () => {
  it('builds a bundle, prints progress and a summary, and verifies it', async () => {
    const made = await runCli([
      'report',
      'vendor',
      '--vendor',
      'vnpt-it',
      '--from',
      '01/11/2026',
      '--to',
      '30/11/2026',
      '--out',
      out,
      '--config',
      config,
    ]);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('… signing the manifest with key');
    expect(made.stdout).toContain("1 incident(s) on the vendor's side, 1 not theirs (commune network)");
    const ok = await runCli(['report', 'verify', out, '--key', join(data, 'signing-key.pem')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Signature: valid (Ed25519, the trusted key');
    expect(ok.stdout).toContain('OK: the bundle is exactly as the server signed it.');
  }, 60_000);

  it('exits non-zero naming the altered file', async () => {
    const file = join(out, 'incidents.csv');
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x01;
    writeFileSync(file, bytes);
    const bad = await runCli(['report', 'verify', out]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('✗ incidents.csv: altered');
    expect(bad.stderr).toBe('communewatch: the bundle does not verify: incidents.csv\n');
  });

  it('names an unknown vendor and the ones it knows', async () => {
    const r = await runCli([
      'report',
      'vendor',
      '--vendor',
      'nobody',
      '--from',
      '01/11/2026',
      '--to',
      '30/11/2026',
      '--out',
      out,
      '--config',
      config,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--vendor nobody: no such vendor in the config (known: vnpt-it)');
  });
});
