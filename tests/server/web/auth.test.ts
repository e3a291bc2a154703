/**
 * Web logins end to end through the real app (inject): passwords, sessions and their expiry, the cookie's
 * attributes, CSRF on writes made with the cookie, login rate limiting, and API keys beside sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, SCRYPT_COST, verifyPassword } from '../../../server/auth/passwords.js';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';

const T0 = Date.parse('2026-11-25T02:00:00Z');

describe('web logins', () => {
  let now = T0;
  let t: ApiApp;

  beforeAll(async () => {
    t = await startApiApp({
      now: () => now,
      configure: (c) => {
        c.web.loginAttempts = 5;
        c.web.sessionIdleHours = 2;
        c.web.sessionMaxDays = 1;
      },
    });
    t.store.users.create({
      username: 'it-lead',
      role: 'admin',
      passwordHash: await hashPassword('correct horse battery'),
      now,
    });
    t.store.users.create({
      username: 'vnpt',
      role: 'vendor',
      services: ['civil-status'],
      passwordHash: await hashPassword('vendor password 1'),
      now,
    });
  });
  afterAll(async () => t.close());

  const form = (body: Record<string, string>, headers: Record<string, string> = {}, ip = '10.0.0.1') =>
    t.built.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(body).toString(),
    });

  async function login(username: string, password: string, ip = '10.0.0.1') {
    const res = await form({ username, password, next: '/incidents' }, {}, ip);
    expect(res.statusCode, res.body).toBe(303);
    const set = String(res.headers['set-cookie']);
    const cookie = set.split(';')[0]!;
    const page = await t.built.app.inject({ url: '/', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    return { res, set, cookie, csrf };
  }

  it('hashes with scrypt at the OWASP cost, re-hashes weaker hashes, never stores the password', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(new RegExp(`^scrypt\\$${SCRYPT_COST.N}\\$8\\$1\\$`));
    expect(stored).not.toContain('horse');
    expect(await verifyPassword('correct horse battery', stored)).toEqual({ ok: true, outdated: false });
    expect((await verifyPassword('wrong', stored)).ok).toBe(false);
    const weak = await hashPassword('old password 12', { N: 1024, r: 8, p: 1 });
    expect(await verifyPassword('old password 12', weak)).toEqual({ ok: true, outdated: true });
  });

  it('logs in with a form, sets an HttpOnly SameSite cookie and goes back to the page asked for', async () => {
    const { res, set } = await login('it-lead', 'correct horse battery');
    expect(res.headers.location).toBe('/incidents');
    expect(set).toMatch(/^cw_session=[A-Za-z0-9_-]{43};/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Lax');
    // Plain HTTP (tests): no Secure flag under "auto", or the browser would drop the cookie.
    expect(set).not.toContain('Secure');
    expect(t.store.users.byName('it-lead')!.lastLoginAt).toBe(now);
  });

  it('does not believe a client claiming HTTPS unless trustProxy is on', async () => {
    const direct = await t.built.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
      payload: 'username=it-lead&password=correct+horse+battery',
      remoteAddress: '10.0.0.9',
    });
    // trustProxy is off by default: a client cannot claim HTTPS.
    expect(String(direct.headers['set-cookie'])).not.toContain('Secure');
  });

  it('refuses a wrong password or an unknown name the same way, with the form again', async () => {
    const wrong = await form({ username: 'it-lead', password: 'nope nope nope' }, {}, '10.0.0.2');
    const unknown = await form({ username: 'nobody', password: 'nope nope nope' }, {}, '10.0.0.2');
    for (const r of [wrong, unknown]) {
      expect(r.statusCode).toBe(401);
      expect(r.headers['set-cookie']).toBeUndefined();
      expect(r.body).toContain('Sai tên đăng nhập hoặc mật khẩu');
    }
  });

  it('rate-limits login attempts per client address with Retry-After', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++)
      codes.push((await form({ username: 'it-lead', password: `guess ${i}` }, {}, '10.0.0.3')).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const limited = await form({ username: 'it-lead', password: 'correct horse battery' }, {}, '10.0.0.3');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await form({ username: 'it-lead', password: 'correct horse battery' }, {}, '10.0.0.4')).statusCode).toBe(
      303,
    );
  });

  it('refuses a login form posted from another site', async () => {
    const res = await form(
      { username: 'it-lead', password: 'correct horse battery' },
      { origin: 'https://evil.example', host: 'cw.local' },
      '10.0.0.5',
    );
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('sends a visitor without a session to the login page, then back', async () => {
    const res = await t.built.app.inject({ url: '/incidents?open=1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fincidents%3Fopen%3D1');
    // A crafted next never leaves the site.
    const evil = await form(
      { username: 'it-lead', password: 'correct horse battery', next: '//evil.example/x' },
      {},
      '10.0.0.6',
    );
    expect(evil.headers.location).toBe('/');
  });

  it('needs the CSRF token for writes made with the cookie, on pages and on the API', async () => {
    const { cookie, csrf } = await login('it-lead', 'correct horse battery', '10.0.0.7');
    const silence = {
      kind: 'silence',
      matchers: { service: ['portal'] },
      startsAt: now,
      endsAt: now + 3_600_000,
      comment: 'test',
    };
    const api = (headers: Record<string, string>) =>
      t.built.app.inject({
        method: 'POST',
        url: '/api/v1/silences',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        payload: silence,
      });
    const without = await api({});
    expect(without.statusCode).toBe(403);
    expect(without.json().code).toBe('CW_ERR_AUTH_CSRF');
    expect((await api({ 'x-csrf-token': 'x'.repeat(43) })).statusCode).toBe(403);
    expect((await api({ 'x-csrf-token': csrf })).statusCode).toBe(201);
    // Reads need no token; an API key needs none either (no ambient credential to forge).
    expect((await t.built.app.inject({ url: '/api/v1/silences', headers: { cookie } })).statusCode).toBe(200);
    expect(
      (
        await t.built.app.inject({
          method: 'POST',
          url: '/api/v1/silences',
          headers: { authorization: `Bearer ${t.admin}` },
          payload: silence,
        })
      ).statusCode,
    ).toBe(201);
    const page = (body: string) =>
      t.built.app.inject({
        method: 'POST',
        url: '/admin/keys',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: body,
      });
    expect((await page('name=grafana&role=viewer')).statusCode).toBe(403);
    const ok = await page(`name=grafana&role=viewer&_csrf=${encodeURIComponent(csrf)}`);
    expect(ok.statusCode).toBe(303);
    expect(t.store.apiTokens.list().some((k) => k.name === 'grafana')).toBe(true);
  });

  it('ends sessions when idle, at the absolute limit, at logout, and when the user is disabled', async () => {
    const a = await login('it-lead', 'correct horse battery', '10.0.1.1');
    const open = (cookie: string) => t.built.app.inject({ url: '/', headers: { cookie } });
    now += 90 * 60_000;
    expect((await open(a.cookie)).statusCode).toBe(200); // used within 2 h: extended
    now += 90 * 60_000;
    expect((await open(a.cookie)).statusCode).toBe(200);
    now += 121 * 60_000;
    expect((await open(a.cookie)).statusCode).toBe(303); // idle over 2 h
    const b = await login('it-lead', 'correct horse battery', '10.0.1.2');
    for (let h = 0; h < 24; h++) {
      now += 60 * 60_000;
      if ((await open(b.cookie)).statusCode !== 200) break;
    }
    expect((await open(b.cookie)).statusCode).toBe(303); // a day after login, used or not
    const c = await login('it-lead', 'correct horse battery', '10.0.1.3');
    const out = await t.built.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(c.csrf)}`,
    });
    expect(out.statusCode).toBe(303);
    expect((await open(c.cookie)).statusCode).toBe(303);
    const d = await login('vnpt', 'vendor password 1', '10.0.1.4');
    t.store.users.setDisabled(t.store.users.byName('vnpt')!.id, true, now);
    expect((await open(d.cookie)).statusCode).toBe(303);
    expect((await form({ username: 'vnpt', password: 'vendor password 1' }, {}, '10.0.1.5')).statusCode).toBe(401);
    t.store.users.setDisabled(t.store.users.byName('vnpt')!.id, false, now);
  });

  it('tells API clients why they are refused, in JSON', async () => {
    const none = await t.built.app.inject({ url: '/api/v1/incidents' });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('CW_ERR_AUTH_MISSING');
    const stale = await t.built.app.inject({
      url: '/api/v1/incidents',
      headers: { cookie: `cw_session=${'a'.repeat(43)}` },
    });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().message).toContain('log in again');
    const badKey = await t.built.app.inject({
      url: '/api/v1/incidents',
      headers: { authorization: `Bearer cwk_${'0'.repeat(16)}_${'A'.repeat(43)}` },
    });
    expect(badKey.json().code).toBe('CW_ERR_AUTH_INVALID');
  });
});
