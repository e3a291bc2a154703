/**
 * The defect of issue 14, through the API: with only the one-stop-shop failing, `?service=e-signing` listed
 * three certification dossiers as `outage` with `outageShare` 1 — the e-signing vendor blamed for another
 * vendor's outage. Now the per-service, per-vendor and service-filtered figures are the charged ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../server/app.js';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';
import { hashPassword } from '../../../server/auth/passwords.js';

const vn = (local: string) => Date.parse(`${local}:00+07:00`);
const H = 3_600_000;

describe('charged attribution per service and vendor', () => {
  let api: ApiApp;
  let built: App;
  let admin: string;
  beforeAll(async () => {
    api = await startApiApp({
      now: () => vn('2026-03-25T10:00'),
      configure: (config) => {
        config.vendors = [
          { id: 'vnpt-it', name: 'VNPT IT', services: ['one-stop-shop'], sla: { targetPct: 99 } },
          { id: 'ky-so', name: 'Ký số CA', services: ['e-signing'], sla: { targetPct: 99.5 } },
        ];
        // The deprecated form still counts, with an id derived from its name.
        config.dossiers.vendors = [{ name: 'Bộ Tư pháp', services: ['civil-status'] }];
      },
    });
    ({ built, admin } = api);
    const records = ['C1', 'C2', 'C3'].map((code, i) => ({
      MaHoSo: code,
      TenLinhVuc: 'Chứng thực',
      DonViXuLy: '26734',
      NgayTiepNhan: '17/03/2026 07:30',
      NgayHenTra: `17/03/2026 ${String(8 + i).padStart(2, '0')}:00`,
      NgayTra: '17/03/2026 11:00',
    }));
    const imported = await inject('POST', '/api/v1/dossiers', { source: 'motcua', records });
    expect(imported.statusCode, imported.body).toBe(200);
    // The one-stop-shop down 07:30–11:00 at the commune: the only outage.
    const rec = await inject('POST', '/api/v1/incidents', {
      cause: 'local-service',
      service: 'one-stop-shop',
      communes: ['26734'],
      startedAt: vn('2026-03-17T07:30'),
      endedAt: vn('2026-03-17T11:00'),
      note: 'sổ trực',
    });
    expect(rec.statusCode, rec.body).toBe(201);
  });
  afterAll(() => api.close());

  function inject(method: 'GET' | 'POST', url: string, payload?: object) {
    return built.app.inject({ method, url, headers: { authorization: `Bearer ${admin}` }, payload });
  }
  const period = `from=${vn('2026-03-17T00:00')}&to=${vn('2026-03-18T00:00')}`;

  it('?service=e-signing: the dossiers keep their own verdict, but e-signing is charged nothing', async () => {
    const res = await inject('GET', `/api/v1/dossiers/attribution?${period}&service=e-signing`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.dossiers).toHaveLength(3);
    for (const d of body.dossiers) {
      expect(d.verdict).toBe('outage');
      expect(d.outageByService).toEqual({ 'one-stop-shop': 3.5 * H });
      expect(d.charged).toEqual({ services: ['e-signing'], chargedMs: 0, verdict: 'not-outage' });
    }
    expect(body.total).toMatchObject({
      dossiers: 3,
      overdue: 3,
      outage: 0,
      notOutage: 3,
      outageShare: 0,
      outageHours: 0,
    });
    const onlyOutage = await inject('GET', `/api/v1/dossiers/attribution?${period}&service=e-signing&verdict=outage`);
    expect(onlyOutage.json().dossiers).toEqual([]);
  });

  it('?service=one-stop-shop: charged the whole outage', async () => {
    const body = (await inject('GET', `/api/v1/dossiers/attribution?${period}&service=one-stop-shop`)).json();
    expect(body.dossiers.map((d: { charged: { verdict: string } }) => d.charged.verdict)).toEqual([
      'outage',
      'outage',
      'outage',
    ]);
    expect(body.total).toMatchObject({ outage: 3, outageShare: 1, outageHours: 3 * 3.5 });
  });

  it('the CSV of a service-filtered list carries the split and the charged figures', async () => {
    const csv = await inject('GET', `/api/v1/dossiers/attribution?${period}&service=e-signing&format=csv`);
    expect(csv.statusCode).toBe(200);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toMatch(
      /,Sự cố theo dịch vụ \(giờ\) \/ Outage by service \(h\),Phần sự cố tính cho dịch vụ \(giờ\) \/ Charged \(working h\),Kết luận theo dịch vụ \/ Charged verdict$/,
    );
    expect(lines.slice(1).map((l) => l.split(',').slice(-4))).toEqual([
      ['', 'one-stop-shop 3.5', '0', 'not-outage'],
      ['', 'one-stop-shop 3.5', '0', 'not-outage'],
      ['', 'one-stop-shop 3.5', '0', 'not-outage'],
    ]);
  });

  it('byService and byVendor count each dossier with its charged verdict', async () => {
    const body = (await inject('GET', `/api/v1/dossiers/attribution?${period}`)).json();
    const pick = (s: { key: string; dossiers: number; outage: number; notOutage: number; outageHours: number }) => [
      s.key,
      s.dossiers,
      s.outage,
      s.notOutage,
      s.outageHours,
    ];
    expect(body.byService.map(pick)).toEqual([
      ['e-signing', 3, 0, 3, 0],
      ['network', 3, 0, 3, 0],
      ['one-stop-shop', 3, 3, 0, 10.5],
    ]);
    expect(body.byVendor.map((s: { vendorId: string }) => [s.vendorId, ...pick(s as never)])).toEqual([
      ['ky-so', 'Ký số CA', 3, 0, 3, 0],
      ['vnpt-it', 'VNPT IT', 3, 3, 0, 10.5],
    ]);
    expect(body.total).toMatchObject({ outage: 3, outageShare: 1 });
  });

  it('the dossiers page shows the charged figures per service and vendor, explained, and the split per dossier', async () => {
    api.store.users.create({
      username: 'leader',
      role: 'viewer',
      passwordHash: await hashPassword('leader secret pw'),
      now: vn('2026-03-25T10:00'),
    });
    const login = await built.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=leader&password=${encodeURIComponent('leader secret pw')}`,
    });
    expect(login.statusCode).toBe(303);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const page = await built.app.inject({
      url: `/dossiers?from=2026-03-17&to=2026-03-17&verdict=late`,
      headers: { cookie },
    });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('mỗi hồ sơ chỉ tính phần sự cố của chính dịch vụ đó');
    const vendors = page.body.slice(page.body.indexOf('id="vendors"'), page.body.indexOf('id="dossiers"'));
    expect(vendors).toMatch(/Ký số CA<\/span><\/td><td[^>]*>3<\/td><td[^>]*>3<\/td><td[^>]*>0<\/td>/);
    const english = await built.app.inject({
      url: '/dossiers?lang=en&from=2026-03-17&to=2026-03-17',
      headers: { cookie },
    });
    expect(english.body).toContain('a dossier counts only that service’s share of its outage');
    const view = await built.app.inject({
      url: `/dossiers/view?source=motcua&code=C1&commune=26734&due=${vn('2026-03-17T08:00')}`,
      headers: { cookie },
    });
    expect(view.statusCode, view.body).toBe(200);
    expect(view.body).toMatch(/Sự cố theo dịch vụ<\/th><td>[^<]+ 3 giờ 30 phút<\/td>/);
  });
});
