/**
 * GET /api/v1/reports/vendor/:id: the signed zip for admins and the vendor's own account, 404 for another
 * vendor; the public key at the well-known URL without login, matching the bundle's key; no secret of the seeded
 * scenario (stored probe results, notes, replies, tokens, keys, hashes) in any file of the zip the route answers;
 * a period of at most 400 days.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { verifyBundleFiles } from '../../../server/evidence/bundle-verify.js';
import { publicKeyFromPem } from '../../../server/evidence/signing.js';
import { leaks, NOW, PASSWORD_HASH, seedObservations, seedScenario, VENDOR_A, VENDOR_B } from './bundle-fixture.js';

let api: ApiApp;
const data = tempDir('cw-bundle-api-');
let vendorA: string;
let vendorB: string;
let literal: string[];

beforeAll(async () => {
  api = await startApiApp({
    now: () => NOW,
    configure: (c) => {
      c.dataDir = data.path;
      c.vendors = [VENDOR_A, VENDOR_B];
    },
  });
  const seeded = seedScenario(api.store);
  const { agentToken } = seedObservations(api.store, seeded.ids.a1);
  literal = [seeded.apiKey, agentToken, PASSWORD_HASH];
  vendorA = api.store.apiTokens.create({ name: 'vnpt', role: 'vendor', services: VENDOR_A.services, now: 0 }).token;
  vendorB = api.store.apiTokens.create({ name: 'viettel', role: 'vendor', services: VENDOR_B.services, now: 0 }).token;
});
afterAll(async () => {
  await api.close();
  data.remove();
});

const get = (url: string, token?: string) =>
  api.built.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
const URL_A = '/api/v1/reports/vendor/vnpt-it?from=01/11/2026&to=30/11/2026';

describe('GET /api/v1/reports/vendor/:id', () => {
  it("answers the vendor's own signed bundle as a zip", async () => {
    const res = await get(URL_A, vendorA);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="ho-so-bang-chung-vnpt-it-2026-11-01-2026-11-30.zip"',
    );
    const files = new Map(Object.entries(unzipSync(res.rawPayload)));
    const key = await get('/.well-known/communewatch/signing-key.pem');
    expect(key.statusCode).toBe(200);
    const report = verifyBundleFiles(files, publicKeyFromPem(key.body));
    expect(report).toMatchObject({ ok: true, keyUsed: 'trusted' });
    const json = await get('/.well-known/communewatch/signing-key.json');
    const der = createPublicKey(key.body).export({ type: 'spki', format: 'der' });
    expect(json.json()).toMatchObject({ algorithm: 'Ed25519', keyId: createHash('sha256').update(der).digest('hex') });
    expect(report.keyId).toBe(json.json().keyId);
    expect(JSON.parse(Buffer.from(files.get('bundle.json')!).toString()).incidents).toHaveLength(1);
  });

  it('lets an admin fetch any vendor, no vendor fetch another, and no viewer fetch one', async () => {
    expect((await get('/api/v1/reports/vendor/viettel', api.admin)).statusCode).toBe(200);
    expect((await get(URL_A, vendorB)).statusCode).toBe(404);
    expect((await get('/api/v1/reports/vendor/viettel', vendorA)).statusCode).toBe(404);
    expect((await get('/api/v1/reports/vendor/nobody', api.admin)).statusCode).toBe(404);
    expect((await get(URL_A)).statusCode).toBe(401);
    const viewer = await get(URL_A, api.viewer);
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().message).toMatch(/only admins and the vendor's own account/);
  });

  it('offers the download on the service page to the vendor running it and admins, not to another vendor', async () => {
    const page = await get('/services/one-stop-shop', vendorA);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('action="/api/v1/reports/vendor/vnpt-it"');
    expect(page.body).toContain('Tải hồ sơ bằng chứng');
    expect((await get('/services/one-stop-shop?lang=en', api.admin)).body).toContain('Download evidence bundle');
    expect((await get('/services/payment', vendorB)).body).toContain('action="/api/v1/reports/vendor/viettel"');
    expect((await get('/services/payment', api.admin)).body).not.toContain('/api/v1/reports/vendor/vnpt-it');
    expect((await get('/services/one-stop-shop', api.viewer)).body).not.toContain('/api/v1/reports/vendor/');
  });

  it('lets no secret into any file of the zip it answers', async () => {
    const res = await get(URL_A, vendorA);
    const files = new Map(Object.entries(unzipSync(res.rawPayload)));
    expect(files.size).toBeGreaterThan(10);
    expect(leaks(files, data.path, literal)).toEqual([]);
    // The record of #A1 is there, with its stored evidence masked.
    expect(Buffer.from(files.get('report.html')!).toString()).toContain('https://motcua.example.vn/dang-nhap');
  });

  it('refuses a bad period naming the parameter, and one over 400 days', async () => {
    const res = await get('/api/v1/reports/vendor/vnpt-it?from=yesterday', api.admin);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('from');
    const long = await get('/api/v1/reports/vendor/vnpt-it?from=01/01/2000&to=30/11/2026', api.admin);
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toMatch(/^querystring\/to: .* at most 400 days/);
    // Up to the cap is fine.
    expect((await get('/api/v1/reports/vendor/vnpt-it?from=01/11/2025&to=05/12/2026', api.admin)).statusCode).toBe(200);
  });
});
