/**
 * The incident record and the vendor's answer over HTTP (inject, API keys and web sessions): the record for
 * admin, viewer and the service's vendor, 404 for another vendor; acknowledgements and replies with their
 * 4xx cases (viewer 403, another vendor 404, empty or too long 400), shown on the incident and in the record;
 * the record page and the incident page's button, history in words, replies and form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../server/auth/passwords.js';
import { startRecordScenario, type RecordScenario } from './incident-record-scenario.js';

describe('incident record API and pages', () => {
  let s: RecordScenario;
  let vendor: string;
  let otherVendor: string;
  const cookies: Record<string, string> = {};

  const call = (method: 'GET' | 'POST', url: string, key: string, payload?: object) =>
    s.api.built.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload && { payload }) });
  const page = (url: string, who: string) => s.api.built.app.inject({ url, headers: { cookie: cookies[who]! } });

  beforeAll(async () => {
    s = await startRecordScenario();
    const { store } = s.api;
    vendor = store.apiTokens.create({
      name: 'viettel-motcua',
      role: 'vendor',
      services: ['one-stop-shop'],
      now: 0,
    }).token;
    otherVendor = store.apiTokens.create({
      name: 'vnpt-hotich',
      role: 'vendor',
      services: ['civil-status'],
      now: 0,
    }).token;
    for (const [username, role, services] of [
      ['admin1', 'admin', undefined],
      ['viettel', 'vendor', ['one-stop-shop']],
      ['leader', 'viewer', undefined],
    ] as const) {
      store.users.create({
        username,
        role,
        ...(services && { services: [...services] }),
        passwordHash: await hashPassword(`${username} secret pw`),
        now: s.clock.now,
      });
      const res = await s.api.built.app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `username=${username}&password=${encodeURIComponent(`${username} secret pw`)}`,
      });
      expect(res.statusCode).toBe(303);
      cookies[username] = String(res.headers['set-cookie']).split(';')[0]!;
    }
  });
  afterAll(() => s.api.close());

  it('serves the record to admin, viewer and the vendor of the service; another vendor gets 404', async () => {
    const url = `/api/v1/incidents/${s.service.id}/record`;
    for (const key of [s.api.admin, s.api.viewer, vendor]) {
      const res = await call('GET', url, key);
      expect(res.statusCode, res.body).toBe(200);
      const { record } = res.json();
      expect(record.incident).toMatchObject({ id: s.service.id, service: 'one-stop-shop' });
      expect(record.control.communes[0]).toMatchObject({ path: { ok: 30, total: 30 }, subject: { ok: 0, total: 10 } });
      expect(record.checks[0].results[0].conditions[0]).toEqual({
        subject: 'STATUS',
        condition: '== 200-399',
        actual: '503',
        ok: false,
      });
    }
    expect((await call('GET', url, otherVendor)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/incidents/${s.network.id}/record`, vendor)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/incidents/99999/record', s.api.admin)).statusCode).toBe(404);
  });

  it("takes the vendor's acknowledgement and reply, and refuses what it must with a clear 4xx", async () => {
    const id = s.service.id;
    const ack = await call('POST', `/api/v1/incidents/${id}/ack`, vendor);
    expect(ack.statusCode, ack.body).toBe(200);
    // The vendor's acknowledgement does not stand in for the province's.
    expect(ack.json().incident.acknowledgedAt).toBeNull();
    const reply = await call('POST', `/api/v1/incidents/${id}/replies`, vendor, {
      text: '  Đã khởi động lại máy chủ.  ',
    });
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json().reply).toMatchObject({
      author: 'viettel-motcua',
      role: 'vendor',
      kind: 'reply',
      text: 'Đã khởi động lại máy chủ.',
    });

    const refused: Array<[string, string, object | undefined, number, RegExp]> = [
      [`/api/v1/incidents/${id}/replies`, s.api.viewer, { text: 'x' }, 403, /admin or vendor role/],
      [`/api/v1/incidents/${id}/ack`, s.api.viewer, undefined, 403, /admin or vendor role/],
      [`/api/v1/incidents/${id}/replies`, otherVendor, { text: 'x' }, 404, /no such incident/],
      [`/api/v1/incidents/${s.network.id}/replies`, vendor, { text: 'x' }, 404, /no such incident/],
      [`/api/v1/incidents/${id}/replies`, vendor, { text: '' }, 400, /body\/text/],
      [`/api/v1/incidents/${id}/replies`, vendor, { text: '   ' }, 400, /text must not be empty/],
      [`/api/v1/incidents/${id}/replies`, vendor, { text: 'x'.repeat(2001) }, 400, /body\/text/],
      [`/api/v1/incidents/${id}/replies`, vendor, { text: 'x', extra: 1 }, 400, /extra|additional/],
      [`/api/v1/incidents/${id}/replies`, vendor, {}, 400, /text/],
    ];
    for (const [url, key, body, status, message] of refused) {
      const res = await call('POST', url, key, body);
      expect(res.statusCode, `${url} ${JSON.stringify(body)}: ${res.body}`).toBe(status);
      expect(res.json().message).toMatch(message);
    }
    const admin = await call('POST', `/api/v1/incidents/${id}/replies`, s.api.admin, { text: 'Tỉnh đã ghi nhận.' });
    expect(admin.statusCode).toBe(201);

    const detail = (await call('GET', `/api/v1/incidents/${id}`, s.api.viewer)).json();
    expect(detail.replies.map((r: { kind: string; author: string }) => [r.kind, r.author])).toEqual([
      ['ack', 'viettel-motcua'],
      ['reply', 'viettel-motcua'],
      ['reply', 'it-lead'],
    ]);
    const { record } = (await call('GET', `/api/v1/incidents/${id}/record`, s.api.viewer)).json();
    expect(record.replies).toHaveLength(3);
    expect(record.events.map((e: { text: { vi: string } }) => e.text.vi)).toEqual(
      expect.arrayContaining([
        'Nhà cung cấp viettel-motcua đã xác nhận sự cố.',
        'Nhà cung cấp viettel-motcua đã trả lời: “Đã khởi động lại máy chủ.”.',
        'it-lead đã trả lời: “Tỉnh đã ghi nhận.”.',
      ]),
    );
  });

  it('shows the record page, and the incident page with its button, history in words and reply form', async () => {
    const record = await page(`/incidents/${s.service.id}/record`, 'leader');
    expect(record.statusCode).toBe(200);
    expect(record.body).toContain('BIÊN BẢN SỰ CỐ');
    expect(record.body).toContain('Xã Bảo Hà (26734)');
    expect(record.body).toContain('ĐẠI DIỆN NHÀ CUNG CẤP');
    const en = await page(`/incidents/${s.service.id}/record?lang=en`, 'leader');
    expect(en.body).toContain('INCIDENT RECORD');

    const incident = await page(`/incidents/${s.service.id}`, 'viettel');
    expect(incident.statusCode).toBe(200);
    expect(incident.body).toContain(`href="/incidents/${s.service.id}/record"`);
    expect(incident.body).toContain('Hệ thống mở sự cố: kiểm tra “motcua” không đạt');
    expect(incident.body).not.toContain('{&quot;target&quot;');
    expect(incident.body).toContain(`action="/incidents/${s.service.id}/replies"`);
    expect(incident.body).toContain('Đã khởi động lại máy chủ.');
    // A viewer reads the replies but has no form.
    const viewer = await page(`/incidents/${s.service.id}`, 'leader');
    expect(viewer.body).toContain('Đã khởi động lại máy chủ.');
    expect(viewer.body).not.toContain('/replies"');
    // The vendor of another service cannot open either page.
    expect((await page(`/incidents/${s.network.id}/record`, 'viettel')).statusCode).toBe(404);
  });

  it('takes a reply from the incident page form with the CSRF token, and refuses one without it', async () => {
    const form = await page(`/incidents/${s.service.id}`, 'viettel');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const post = (body: string) =>
      s.api.built.app.inject({
        method: 'POST',
        url: `/incidents/${s.service.id}/replies`,
        headers: { cookie: cookies.viettel!, 'content-type': 'application/x-www-form-urlencoded' },
        payload: body,
      });
    const ok = await post(`_csrf=${encodeURIComponent(csrf)}&text=${encodeURIComponent('Lỗi do cập nhật phiên bản.')}`);
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/incidents/${s.service.id}#replies`);
    expect((await post('text=x')).statusCode).toBe(403);
    const replies = s.api.store.incidents.replies(s.service.id);
    expect(replies.at(-1)).toMatchObject({ author: 'viettel', role: 'vendor', text: 'Lỗi do cập nhật phiên bản.' });
  });
});
