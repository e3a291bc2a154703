/** POST /api/v1/dossiers: JSON records with the export's header names; refused whole with every problem, or imported. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../server/app.js';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';

describe('POST /api/v1/dossiers', () => {
  let api: ApiApp;
  let built: App;
  let admin: string;
  let viewer: string;
  beforeAll(async () => {
    api = await startApiApp({
      now: () => Date.parse('2026-11-25T03:00:00Z'),
      configure: (config) =>
        (config.dossiers.vendors = [
          { name: 'VNPT', services: ['one-stop-shop'] },
          { name: 'Bộ Tư pháp', services: ['civil-status'] },
        ]),
    });
    ({ built, admin, viewer } = api);
  });
  afterAll(() => api.close());
  const post = (payload: object, key = admin) =>
    built.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: { authorization: `Bearer ${key}` }, payload });

  it('imports records named like the DVCQG sync, idempotently', async () => {
    const records = [
      {
        MaHoSo: 'H1',
        DonViXuLy: '26734',
        NgayTiepNhan: '20261124081500',
        NgayHenTra: '20261126170000',
        KenhTiepNhan: 'online',
      },
      {
        MaHoSo: 'H2',
        DonViXuLy: '26734',
        NgayTiepNhan: '24/11/2026 09:00',
        NgayHenTra: '26/11/2026 17:00',
        NgayTra: null,
      },
    ];
    const res = await post({ source: 'dvcqg', records });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'imported', inserted: 2 });
    expect((await post({ source: 'dvcqg', records })).json()).toMatchObject({ inserted: 0, unchanged: 2 });
  });

  it('refuses bad records with every problem, or imports the good ones with partial', async () => {
    const records = [
      { MaHoSo: 'H3', DonViXuLy: '26734', NgayTiepNhan: '24/11/2026 09:00', NgayHenTra: '23/11/2026 09:00' },
      { MaHoSo: 'H4', DonViXuLy: '26734', NgayTiepNhan: '24/11/2026 09:00', NgayHenTra: '26/11/2026 17:00' },
    ];
    const refused = await post({ source: 'dvcqg', records });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      code: 'CW_ERR_DOSSIER_ROWS',
      report: { status: 'refused', problems: [{ row: 2, column: 'NgayHenTra', reason: 'before the date received' }] },
    });
    expect((await post({ source: 'dvcqg', partial: true, records })).json()).toMatchObject({
      status: 'imported',
      inserted: 1,
      invalid: 1,
    });
    const noHeaders = await post({ source: 'dvcqg', records: [{ a: 1 }] });
    expect(noHeaders.json()).toMatchObject({
      statusCode: 400,
      code: 'CW_ERR_DOSSIER_HEADERS',
      message: expect.stringMatching(/^body\/records: no column for code, commune, receivedAt, dueAt/),
    });
    expect((await post({ source: 'dvcqg', records }, viewer)).statusCode).toBe(403);
  });

  it('GET /api/v1/dossiers/attribution: verdicts with their incidents, summaries per commune and service', async () => {
    const vn = (local: string) => Date.parse(`${local}:00+07:00`);
    const records = [
      {
        MaHoSo: 'L1',
        TenLinhVuc: 'Hộ tịch',
        DonViXuLy: '26734',
        NgayTiepNhan: '17/11/2026 08:00',
        NgayHenTra: '17/11/2026 11:00',
        NgayTra: '17/11/2026 14:00',
      },
      {
        MaHoSo: 'L2',
        TenLinhVuc: 'Đất đai',
        DonViXuLy: '26734',
        NgayTiepNhan: '17/11/2026 08:00',
        NgayHenTra: '17/11/2026 11:00',
        NgayTra: '17/11/2026 14:00',
      },
      {
        MaHoSo: 'OK',
        TenLinhVuc: 'Hộ tịch',
        DonViXuLy: '26737',
        NgayTiepNhan: '17/11/2026 08:00',
        NgayHenTra: '18/11/2026 11:00',
        NgayTra: '17/11/2026 14:00',
      },
    ];
    expect((await post({ source: 'attr', records })).statusCode).toBe(200);
    const rec = await built.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: { authorization: `Bearer ${admin}` },
      payload: {
        cause: 'local-service',
        service: 'civil-status',
        communes: ['26734'],
        startedAt: vn('2026-11-17T10:00'),
        endedAt: vn('2026-11-17T13:30'),
        note: 'sổ trực',
      },
    });
    expect(rec.statusCode).toBe(201);
    const res = await built.app.inject({
      url: `/api/v1/dossiers/attribution?from=${vn('2026-11-17T00:00')}&to=${vn('2026-11-19T00:00')}`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const byCode = Object.fromEntries(body.dossiers.map((d: { code: string }) => [d.code, d]));
    expect(byCode.L1).toMatchObject({
      verdict: 'outage',
      lateMs: 1.5 * 3_600_000,
      incidentIds: [rec.json().incident.id],
      fieldName: 'civil-status',
    });
    expect(byCode.L2).toMatchObject({ verdict: 'not-outage', fieldName: 'other' }); // the one-stop-shop was up
    expect(byCode.OK).toMatchObject({ verdict: 'on-time' });
    expect(body.total).toMatchObject({
      dossiers: 3,
      overdue: 2,
      outage: 1,
      notOutage: 1,
      outageShare: 0.5,
      outageHours: 2,
    });
    expect(body.byCommune.map((s: { key: string; overdue: number }) => [s.key, s.overdue])).toEqual([
      ['26734', 2],
      ['26737', 0],
    ]);
    // Hộ tịch dossiers count for the Ministry of Justice's system, the others for VNPT's one-stop-shop.
    expect(
      body.byVendor.map((s: { key: string; dossiers: number; outage: number }) => [s.key, s.dossiers, s.outage]),
    ).toEqual([
      ['Bộ Tư pháp', 2, 1],
      ['VNPT', 1, 0],
    ]);
    const late = await built.app.inject({
      url: `/api/v1/dossiers/attribution?from=${vn('2026-11-17T00:00')}&to=${vn('2026-11-19T00:00')}&verdict=outage`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(late.json().dossiers.map((d: { code: string }) => d.code)).toEqual(['L1']);
    // And on /metrics, for Grafana: overdue dossiers of the last 30 days by commune and verdict.
    const metrics = (await built.app.inject('/metrics')).body;
    expect(metrics).toContain('communewatch_dossiers_overdue{commune="26734",verdict="outage"} 1');
    expect(metrics).toContain('communewatch_dossiers_overdue{commune="26734",verdict="not-outage"} 1');
  });

  it('exports the attribution as CSV and XLSX, with formulas neutralised', async () => {
    const vn = (local: string) => Date.parse(`${local}:00+07:00`);
    const records = [
      {
        MaHoSo: '=HYPERLINK("http://evil","x")',
        DonViXuLy: '26737',
        TrangThaiHoSo: '+cmd',
        NgayTiepNhan: '17/11/2026 08:00',
        NgayHenTra: '17/11/2026 09:00',
        NgayTra: '17/11/2026 10:00',
      },
    ];
    expect((await post({ source: 'evil', records })).statusCode).toBe(200);
    const q = `from=${vn('2026-11-17T00:00')}&to=${vn('2026-11-18T00:00')}&commune=26737`;
    const csv = await built.app.inject({
      url: `/api/v1/dossiers/attribution?${q}&format=csv`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="ho-so-tre-han-2026-11-17.csv"');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toMatch(/^Mã hồ sơ \/ Dossier,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      `"'=HYPERLINK(""http://evil"",""x"")",evil,26737,,,,,17/11/2026 08:00,17/11/2026 09:00,17/11/2026 10:00,'+cmd,not-outage,1,0,,,`,
    );
    const xlsx = await built.app.inject({
      url: `/api/v1/dossiers/attribution?${q}&format=xlsx`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(xlsx.statusCode).toBe(200);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(2).getCell(1).value).toBe(`'=HYPERLINK("http://evil","x")`);
    expect(sheet.getRow(2).getCell(12).value).toBe('not-outage');
  });
});
