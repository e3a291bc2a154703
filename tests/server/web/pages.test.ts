/**
 * The UI pages through the real app (inject) over data ingested through the real API: what each role
 * sees, vendor scoping, the grid's states, exports (CSV with BOM and neutralised formulas, XLSX), the
 * language switch, the catalogues, and the admin forms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../../server/auth/passwords.js';
import { CATALOGUES } from '../../../server/web/i18n.js';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';
import { IngestDriver, MIN } from '../../helpers/ingest-driver.js';

const UNITS = fileURLToPath(new URL('../../fixtures/units/units.yaml', import.meta.url));
// Wednesday 25/11/2026 09:00 in Vietnam.
const T0 = Date.parse('2026-11-25T02:00:00Z');

describe('web pages', () => {
  const clock = { now: T0 - 60 * MIN };
  let t: ApiApp;
  let drive: IngestDriver;
  const cookies: Record<string, string> = {};

  const get = (url: string, who: string) => t.built.app.inject({ url, headers: { cookie: cookies[who]! } });

  beforeAll(async () => {
    t = await startApiApp({ now: () => clock.now, configure: (c) => (c.units = UNITS) });
    drive = new IngestDriver(t.built, t.store, ['26734', '26737', '99001'], clock);
    // Half an hour of healthy rounds everywhere: network path, one-stop-shop and civil-status.
    for (let i = 0; i < 30; i++) {
      clock.now = T0 - 60 * MIN + i * MIN;
      for (const c of ['26734', '26737', '99001']) {
        await drive.push(c, [
          drive.result(c, 'path-gateway', clock.now, true, { service: 'network', role: 'gateway', kind: 'icmp' }),
          drive.result(c, 'motcua', clock.now, true, { service: 'one-stop-shop' }),
          drive.result(c, 'hotich', clock.now, true, { service: 'civil-status' }),
        ]);
      }
    }
    // Then civil-status fails at 26734 only: a local-service incident there.
    await drive.rounds('26734', 'hotich', T0 - 30 * MIN, 5, false, { service: 'civil-status', layer: 'service' });
    // A formula typed into an error message must not run in a spreadsheet.
    await drive.push('26737', [
      {
        ...drive.result('26737', 'motcua', clock.now, false, { service: 'one-stop-shop', layer: 'service' }),
        error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: '=HYPERLINK("http://evil")' },
      },
    ]);
    clock.now = T0;
    const user = async (username: string, role: 'admin' | 'viewer' | 'vendor', services?: string[]) => {
      t.store.users.create({
        username,
        role,
        services,
        passwordHash: await hashPassword(`${username} secret pw`),
        now: clock.now,
      });
      const res = await t.built.app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `username=${username}&password=${encodeURIComponent(`${username} secret pw`)}`,
      });
      expect(res.statusCode).toBe(303);
      cookies[username] = String(res.headers['set-cookie']).split(';')[0]!;
    };
    await user('admin1', 'admin');
    await user('leader', 'viewer');
    await user('vnpt', 'vendor', ['civil-status']);
    await user('viettel', 'vendor', ['one-stop-shop']);
  });
  afterAll(async () => t.close());

  it("shows the open incident first and the grid with each cell's state", async () => {
    const res = await get('/', 'leader');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const open = res.body.slice(res.body.indexOf('id="open"'), res.body.indexOf('id="services"'));
    expect(open).toMatch(/href="\/incidents\/\d+"/);
    expect(open).toContain('Dịch vụ tại một xã');
    expect(open).toContain('Xã Bảo Hà (26734)');
    const grid = res.body.slice(res.body.indexOf('id="grid"'));
    // Worst first: Bảo Hà (civil-status down) before the others.
    expect(grid.indexOf('26734')).toBeLessThan(grid.indexOf('26737'));
    expect(grid).toContain('s-down');
    expect(grid).toContain('Hộ tịch');
    expect(res.body).toContain('Dữ liệu tính đến 25/11/2026 09:00');
    // Leaders do not get the admin menu.
    expect(res.body).not.toContain('href="/admin"');
    expect((await get('/', 'admin1')).body).toContain('href="/admin"');
  });

  it('switches to English and remembers it', async () => {
    const en = await get('/?lang=en', 'leader');
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Open incidents');
    const cookie = String(en.headers['set-cookie']);
    expect(cookie).toContain('cw_lang=en');
    const again = await t.built.app.inject({ url: '/incidents', headers: { cookie: `${cookies.leader}; cw_lang=en` } });
    expect(again.body).toContain('Incidents');
  });

  it('has the same keys in both catalogues, and no empty text', () => {
    expect(Object.keys(CATALOGUES.en).sort()).toEqual(Object.keys(CATALOGUES.vi).sort());
    for (const lang of ['vi', 'en'] as const)
      for (const [k, v] of Object.entries(CATALOGUES[lang])) expect(v.trim(), `${lang}.${k}`).not.toBe('');
  });

  it('shows an incident with its evidence and the notifications list', async () => {
    const id = t.store.incidents.list({ openOnly: true, limit: 10 })[0]!.id;
    const res = await get(`/incidents/${id}`, 'leader');
    expect(res.statusCode).toBe(200);
    const evidence = res.body.slice(res.body.indexOf('id="evidence"'));
    expect(evidence).toContain('CW_ERR_PROBE_HTTP_STATUS');
    expect(evidence).toContain('hotich');
    expect(res.body).toContain('id="notifications"');
    const csv = await get(`/incidents/${id}?export=csv&table=evidence`, 'leader');
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="su-co-\d+-bang-chung-2026-11-25.csv"/);
    expect(csv.body.split('\n').length).toBeGreaterThan(3);
  });

  it('lets a vendor see its own service only, in the UI and through the API', async () => {
    const incident = t.store.incidents.list({ openOnly: true, limit: 10 })[0]!;
    expect(incident.service).toBe('civil-status');
    expect((await get(`/incidents/${incident.id}`, 'vnpt')).statusCode).toBe(200);
    const other = await get(`/incidents/${incident.id}`, 'viettel');
    expect(other.statusCode).toBe(404);
    expect(other.body).toContain('Không có sự cố này');
    expect((await get('/services/civil-status', 'viettel')).statusCode).toBe(404);
    expect((await get('/services/one-stop-shop', 'viettel')).statusCode).toBe(200);
    const overview = await get('/', 'viettel');
    expect(overview.body).not.toContain('Hộ tịch');
    expect(overview.body).not.toContain('href="/equipment"');
    expect((await get('/equipment', 'viettel')).statusCode).toBe(403);
    expect((await get('/dossiers', 'viettel')).statusCode).toBe(403);
    expect((await get(`/api/v1/incidents/${incident.id}`, 'viettel')).statusCode).toBe(404);
    expect((await get('/api/v1/incidents', 'viettel')).json().incidents).toEqual([]);
    const status = (await get('/api/v1/status', 'viettel')).json() as { targets: Array<{ service: string }> };
    expect(new Set(status.targets.map((x) => x.service))).toEqual(new Set(['one-stop-shop']));
    expect((await get('/api/v1/inventory', 'viettel')).statusCode).toBe(403);
  });

  it('exports every table: CSV with a BOM, bilingual headers and neutralised formulas; XLSX', async () => {
    const csv = await get('/communes/26737?export=csv&table=targets', 'leader');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body).toContain('Đích đo / Target');
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil"")"`);
    const xlsx = await get('/?export=xlsx&table=grid', 'leader');
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toContain('Xã / Commune');
    expect(ws.rowCount).toBe(4);
    expect((await get('/?export=csv&table=nope', 'leader')).statusCode).toBe(404);
  });

  it('shows a commune with its targets, timeline, chart data and PCs', async () => {
    const res = await get('/communes/26734', 'leader');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Xã Bảo Hà');
    expect(res.body).toContain('class="timeline"');
    expect(res.body).toMatch(/<script type="application\/json" id="chart-latency">\{"xLabel":"Thời điểm","series":/);
    expect(res.body).toContain('uplot.js');
    // Old code alias opens the current commune.
    expect((await get('/communes/02683', 'leader')).body).toContain('Xã Bảo Hà (26734)');
    expect((await get('/communes/nope!', 'leader')).statusCode).toBe(404);
  });

  it('lets an admin create a login and an API key from the forms; the key is shown once', async () => {
    const page = await get('/admin/keys', 'admin1');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const post = (url: string, body: Record<string, string>) =>
      t.built.app.inject({
        method: 'POST',
        url,
        headers: { cookie: cookies.admin1!, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf, ...body }).toString(),
      });
    const made = await post('/admin/keys', { name: 'grafana', role: 'viewer' });
    expect(made.statusCode).toBe(303);
    const flash = String(made.headers['set-cookie']).split(';')[0]!;
    const shown = await t.built.app.inject({ url: '/admin/keys', headers: { cookie: `${cookies.admin1}; ${flash}` } });
    const key = /<code>(cwk_[^<]+)<\/code>/.exec(shown.body)![1]!;
    expect(t.store.apiTokens.verify(key, clock.now)?.name).toBe('grafana');
    expect((await get('/admin/keys', 'admin1')).body).not.toContain(key);
    const bad = await post('/admin/users', { username: 'a', role: 'viewer', password: 'short' });
    expect(bad.statusCode).toBe(400);
    const vendorWithout = await post('/admin/users', { username: 'fpt', role: 'vendor', password: 'a long enough pw' });
    expect(vendorWithout.statusCode).toBe(400);
    expect(vendorWithout.body).toContain('a vendor needs');
    expect(
      (
        await post('/admin/users', {
          username: 'fpt',
          role: 'vendor',
          services: 'payment',
          password: 'a long enough pw',
        })
      ).statusCode,
    ).toBe(303);
    expect(t.store.users.byName('fpt')).toMatchObject({ role: 'vendor', services: ['payment'] });
    // Viewers cannot post admin forms even with a valid token.
    const leaderPage = await get('/', 'leader');
    const leaderCsrf = /name="_csrf" value="([^"]+)"/.exec(leaderPage.body)![1]!;
    const refused = await t.built.app.inject({
      method: 'POST',
      url: '/admin/keys',
      headers: { cookie: cookies.leader!, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${leaderCsrf}&name=x&role=admin`,
    });
    expect(refused.statusCode).toBe(403);
  });

  it('shows admins the file-based configuration: communes, services probed, receivers without secrets', async () => {
    const res = await get('/admin/config', 'admin1');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Xã Bảo Hà');
    expect(res.body.slice(res.body.indexOf('id="services"'))).toContain('civil-status');
    expect(res.body).toContain('Chưa cấu hình nơi nhận cảnh báo');
    expect((await get('/admin/config', 'leader')).statusCode).toBe(403);
  });

  it('compresses pages and serves assets with long cache headers', async () => {
    const res = await t.built.app.inject({
      url: '/',
      headers: { cookie: cookies.leader!, 'accept-encoding': 'br, gzip' },
    });
    expect(res.headers['content-encoding']).toBe('br');
    const css = /href="(\/assets\/[0-9a-f]{12}\/app.css)"/.exec((await get('/', 'leader')).body)![1]!;
    const asset = await t.built.app.inject({ url: css });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await t.built.app.inject({ url: '/assets/000000000000/app.css' })).statusCode).toBe(404);
  });

  it('serves the dossiers page from its five-minute figures, refreshed at once by a new import', async () => {
    const before = await get('/dossiers', 'leader');
    expect(before.body).toContain('Số liệu tính lúc 25/11/2026 09:00');
    expect(before.body).not.toContain('>WEB-1<');
    const imported = await t.built.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: { authorization: `Bearer ${t.admin}` },
      payload: {
        source: 'motcua',
        records: [
          {
            MaHoSo: 'WEB-1',
            DonViXuLy: '26734',
            NgayTiepNhan: '20/11/2026 08:00',
            NgayHenTra: '24/11/2026 17:00',
            NgayTra: '25/11/2026 08:30',
          },
        ],
      },
    });
    expect(imported.statusCode, imported.body).toBe(200);
    expect((await get('/dossiers', 'leader')).body).toContain('>WEB-1<');
  });

  it("shows the errors users' browsers met, a vendor only in its own apps", async () => {
    const origin = 'https://hotich.example.vn';
    const { key } = t.store.rum.createApp({
      name: 'hotich-web',
      origins: [origin],
      services: ['civil-status'],
      now: clock.now,
    });
    const res = await t.built.app.inject({
      method: 'POST',
      url: '/collect',
      headers: { 'content-type': 'application/json', 'x-api-key': key, origin },
      payload: {
        meta: { session: { attributes: { commune: '26734' } }, page: { url: `${origin}/khai-sinh?cccd=001099012345` } },
        exceptions: [
          {
            type: 'TypeError',
            value: 'Không ký được hồ sơ 12345',
            timestamp: new Date(clock.now).toISOString(),
            stacktrace: { frames: [{ filename: `${origin}/app.js`, function: 'kySo' }] },
          },
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(202);
    const page = await get('/rum', 'leader');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('TypeError: Không ký được hồ sơ &lt;n&gt;');
    expect(page.body).toContain('26734 (1)');
    expect(page.body).not.toContain('001099012345');
    expect((await get('/rum', 'vnpt')).body).toContain('Không ký được hồ sơ');
    expect((await get('/rum', 'viettel')).body).not.toContain('Không ký được hồ sơ');
    expect((await get('/rum?export=csv&table=errors', 'leader')).body).toContain(
      'kySo (https://hotich.example.vn/app.js)',
    );
  });

  it('answers a bad dossier drill-down with a 404 page, not a crash', async () => {
    const res = await get(`/dossiers/view?source=x&code=${randomUUID()}&commune=26734&due=abc`, 'leader');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Không tìm thấy hồ sơ');
  });
});
