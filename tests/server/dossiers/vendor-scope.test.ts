/**
 * Review item 4 of issue 14: a vendor key's attribution report names no other vendor or service. The
 * one-stop-shop vendor's key sees no e-signing vendor row, no e-signing share (folded into `other`), no
 * e-signing incident id — in JSON, CSV and XLSX — and the figures it does see equal the admin's.
 *
 * The outages are those of charged-split.test.ts, through the API (Tue 17 Mar 2026, working time): the
 * one-stop-shop down 08:00–10:00, e-signing 09:00–14:00, the commune network 09:30–10:30. Per dossier:
 * one-stop-shop 60 + 15 = 75 min, e-signing 15 + 120 = 135 min, network 30 + 30 = 60 min (while the network
 * is down, it takes the whole moment), 270 min = 4.5 h in all.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../server/app.js';
import { hashPassword } from '../../../server/auth/passwords.js';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';

const vn = (local: string) => Date.parse(`${local}:00+07:00`);
const MIN = 60_000;
const period = `from=${vn('2026-03-17T00:00')}&to=${vn('2026-03-18T00:00')}`;
const URL = `/api/v1/dossiers/attribution?${period}`;

type Body = {
  dossiers: Array<Record<string, unknown> & { outageByService: Record<string, number>; incidentIds: number[] }>;
  byCommune: unknown[];
  byService: Array<{ key: string }>;
  byVendor: Array<{ key: string; vendorId: string }>;
  total: unknown;
};

describe('the attribution report in a vendor’s scope', () => {
  let api: ApiApp;
  let built: App;
  let vendorKey: string;
  const ids: Record<'oss' | 'esign' | 'network', number> = { oss: 0, esign: 0, network: 0 };

  beforeAll(async () => {
    api = await startApiApp({
      now: () => vn('2026-03-25T10:00'),
      configure: (config) => {
        config.vendors = [
          { id: 'vnpt-it', name: 'VNPT IT', services: ['one-stop-shop'], sla: { targetPct: 99 } },
          { id: 'ky-so', name: 'Ký số CA', services: ['e-signing'], sla: { targetPct: 99.5 } },
        ];
      },
    });
    built = api.built;
    vendorKey = api.store.apiTokens.create({
      name: 'vnpt',
      role: 'vendor',
      services: ['one-stop-shop'],
      now: 0,
    }).token;
    const records = ['C1', 'C2'].map((code) => ({
      MaHoSo: code,
      TenLinhVuc: 'Chứng thực',
      DonViXuLy: '26734',
      NgayTiepNhan: '17/03/2026 07:30',
      NgayHenTra: '17/03/2026 09:00',
      NgayTra: '17/03/2026 15:00',
    }));
    expect((await get('POST', '/api/v1/dossiers', api.admin, { source: 'motcua', records })).statusCode).toBe(200);
    const record = async (key: keyof typeof ids, body: object) => {
      const res = await get('POST', '/api/v1/incidents', api.admin, { communes: ['26734'], note: 'sổ trực', ...body });
      expect(res.statusCode, res.body).toBe(201);
      ids[key] = res.json().incident.id;
    };
    const at = (start: string, end: string) => ({
      startedAt: vn(`2026-03-17T${start}`),
      endedAt: vn(`2026-03-17T${end}`),
    });
    await record('esign', { cause: 'local-service', service: 'e-signing', ...at('09:00', '14:00') });
    await record('oss', { cause: 'local-service', service: 'one-stop-shop', ...at('08:00', '10:00') });
    await record('network', { cause: 'commune-network', ...at('09:30', '10:30') });
  });
  afterAll(() => api.close());

  function get(method: 'GET' | 'POST', url: string, key: string, payload?: object) {
    return built.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, payload });
  }

  it('the admin sees every vendor, share and incident (the split as in charged-split.test.ts)', async () => {
    const body: Body = (await get('GET', URL, api.admin)).json();
    expect(body.dossiers).toHaveLength(2);
    for (const d of body.dossiers) {
      expect(d.verdict).toBe('outage');
      expect(d.outageByService).toEqual({ 'one-stop-shop': 75 * MIN, 'e-signing': 135 * MIN, network: 60 * MIN });
      expect(d.incidentIds).toEqual([ids.esign, ids.oss, ids.network].sort((a, b) => a - b));
    }
    expect(body.byService.map((s) => s.key)).toEqual(['e-signing', 'network', 'one-stop-shop']);
    expect(body.byVendor.map((s) => s.vendorId)).toEqual(['ky-so', 'vnpt-it']);
  });

  it('the one-stop-shop vendor sees no e-signing row, share or incident, and the same figures', async () => {
    const res = await get('GET', URL, vendorKey);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toMatch(/e-signing|Ký số|ky-so/);
    const body: Body = res.json();
    expect(body.byService.map((s) => s.key)).toEqual(['network', 'one-stop-shop']);
    expect(body.byVendor.map((s) => s.vendorId)).toEqual(['vnpt-it']);
    for (const d of body.dossiers) {
      expect(d.outageByService).toEqual({ 'one-stop-shop': 75 * MIN, network: 60 * MIN, other: 135 * MIN });
      expect(d.incidentIds).toEqual([ids.oss, ids.network].sort((a, b) => a - b));
      expect(d.incidentIds).not.toContain(ids.esign);
      expect(d.services).toEqual(['one-stop-shop']);
      // 75 min of 270 late: partly to blame; the dossier's own verdict over all its services is unchanged.
      expect(d.charged).toEqual({ services: ['one-stop-shop'], chargedMs: 75 * MIN, verdict: 'partly-outage' });
      expect(d).toMatchObject({ verdict: 'outage', lateMs: 270 * MIN, outageMs: 270 * MIN });
    }
    // What it sees is what the admin sees of the one-stop-shop: the same rows, the same totals.
    const admin: Body = (await get('GET', `${URL}&service=one-stop-shop`, api.admin)).json();
    const rows = (b: Body) => b.byService.filter((s) => s.key !== 'e-signing');
    expect(rows(body)).toEqual(rows(admin));
    expect(body.byVendor).toEqual(admin.byVendor.filter((v) => v.vendorId === 'vnpt-it'));
    expect(body.byCommune).toEqual(admin.byCommune);
    expect(body.total).toEqual(admin.total);
    const unscoped = (d: Body['dossiers'][number]) => {
      const { outageByService: _s, incidentIds: _i, services: _v, ...rest } = d;
      return rest;
    };
    expect(body.dossiers.map(unscoped)).toEqual(admin.dossiers.map(unscoped));
  });

  it('the CSV and XLSX a vendor exports name no other vendor’s service or incident', async () => {
    const csv = await get('GET', `${URL}&format=csv`, vendorKey);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain('e-signing');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines.slice(1).map((l) => l.split(',').slice(-5))).toEqual(
      Array(2).fill([
        [ids.oss, ids.network].sort((a, b) => a - b).join(' '),
        '',
        'network 1; one-stop-shop 1.25; other 2.25',
        '1.25',
        'partly-outage',
      ]),
    );
    const xlsx = await get('GET', `${URL}&format=xlsx`, vendorKey);
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.worksheets[0]!.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
    expect(cells.join('|')).not.toContain('e-signing');
    expect(cells).toContain('network 1; one-stop-shop 1.25; other 2.25');
  });

  it('a vendor key asking about another vendor’s service is refused', async () => {
    const res = await get('GET', `${URL}&service=e-signing`, vendorKey);
    expect(res.statusCode).toBe(403);
  });

  it('the dossiers web pages are not open to a vendor account', async () => {
    api.store.users.create({
      username: 'vnpt-user',
      role: 'vendor',
      services: ['one-stop-shop'],
      passwordHash: await hashPassword('vnpt secret password'),
      now: vn('2026-03-25T10:00'),
    });
    const login = await built.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=vnpt-user&password=${encodeURIComponent('vnpt secret password')}`,
    });
    expect(login.statusCode).toBe(303);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    for (const url of ['/dossiers?from=2026-03-17&to=2026-03-17', '/dossiers/view?source=motcua&code=C1']) {
      const page = await built.app.inject({ url, headers: { cookie } });
      expect(page.statusCode, url).toBe(403);
      expect(page.body).not.toMatch(/e-signing|Ký số/);
    }
  });
});
