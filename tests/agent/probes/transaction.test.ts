import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveTargets } from '../../../agent/probes/schemas.js';
import type { ProbeContext } from '../../../agent/probes/probe.js';
import { CookieJar, transaction } from '../../../agent/probes/transaction.js';
import type { TransactionStep } from '../../../protocol/wire.js';
import { startLoginApp, type LoginApp } from '../../helpers/login-app.js';
import { makeSelfSignedCert } from '../../helpers/tls-cert.js';
import { tempDir } from '../../helpers/temp-dir.js';

function ctx(timeoutMs = 3000, signal = new AbortController().signal): ProbeContext {
  return { signal, timeoutMs, now: Date.now, log: pino({ level: 'silent' }) };
}

type Target = Parameters<typeof transaction.run>[0];

describe('transaction probe', () => {
  let app: LoginApp;
  const dir = tempDir('cw-tx-');
  let credFile: string;

  /** The form flow of a one-stop-shop app: login page, form login (redirect to the profile), JSON behind the login. */
  const formFlow = (): Target => ({
    credentials: { file: credFile },
    steps: [
      { name: 'login-page', url: `${app.base}/dang-nhap`, keyword: 'Đăng nhập hệ thống một cửa' },
      {
        name: 'login',
        url: `${app.base}/dang-nhap`,
        method: 'POST',
        form: { username: '${username}', password: '${password}' },
        keyword: 'Xin chào',
      },
      { name: 'profile', url: `${app.base}/api/ho-so`, jsonPath: { path: '$.data.total', equals: 12 } },
    ],
  });

  const writeCredentials = (values: Record<string, string>, mode = 0o600): void => {
    writeFileSync(credFile, JSON.stringify(values));
    chmodSync(credFile, mode);
  };

  beforeAll(async () => {
    app = await startLoginApp();
    credFile = join(dir.path, 'motcua.json');
  });
  beforeEach(() => {
    writeCredentials(app.account);
    app.requests.length = 0;
    Object.assign(app.faults, { loginRejects: false, profileError: false, hangPath: undefined });
  });
  afterEach(() => {
    delete process.env.CW_TEST_HOTICH;
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  const seen = (): string[] => app.requests.map((r) => `${r.method} ${r.path}`);
  const names = (steps: TransactionStep[] | undefined): string[] => (steps ?? []).map((s) => s.name);

  it('a full login flow: ok, every step timed, total latency the sum of the steps', async () => {
    const out = await transaction.run(formFlow(), ctx());
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    expect(out.error).toBeUndefined();
    const steps = out.transaction!.steps;
    expect(names(steps)).toEqual(['login-page', 'login', 'profile']);
    expect(out.transaction!.failedStep).toBeUndefined();
    for (const s of steps) {
      expect(s, s.name).toMatchObject({ ok: true, statusCode: 200 });
      expect(s.durationMs).toBeGreaterThan(0);
      expect(s.durationMs).toBe(s.phases?.totalMs);
      expect(s.phases?.connectMs).toBeGreaterThan(0);
    }
    expect(out.latencyMs).toBeCloseTo(
      steps.reduce((sum, s) => sum + s.durationMs, 0),
      2,
    );
    expect(out.durationMs).toBeGreaterThanOrEqual(out.latencyMs!);
    // The login's 302 was followed inside its step; the form went out encoded, with the pre-login cookie.
    expect(seen()).toEqual(['GET /dang-nhap', 'POST /dang-nhap', 'GET /ho-so', 'GET /api/ho-so']);
    const post = app.requests[1]!;
    expect(post.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(post.body))).toEqual(app.account);
  });

  it('cookies: carried across the login redirect, Path honoured, deleted on Max-Age=0, never kept between rounds', async () => {
    await transaction.run(formFlow(), ctx());
    const [page, post, profile, api] = app.requests;
    expect(page?.cookie).toBeUndefined();
    expect(post?.cookie).toMatch(/^csrf_phien=[0-9a-f-]{36}$/);
    expect(profile?.cookie).toMatch(/^PHIENLAMVIEC=[0-9a-f-]{36}$/); // set by the 302, sent by the next hop
    expect(api?.cookie).toMatch(/^ngon_ngu=vi; PHIENLAMVIEC=/); // Path=/api cookie only under /api, listed first

    app.requests.length = 0;
    const again = await transaction.run(formFlow(), ctx());
    expect(again.ok).toBe(true);
    expect(app.requests[0]?.cookie).toBeUndefined(); // a fresh jar: the round logged in from scratch
  });

  it('without following redirects, the next step still carries the session cookie', async () => {
    const target = formFlow();
    target.steps[1] = { ...target.steps[1]!, followRedirects: false, keyword: undefined, expectStatus: [302] };
    target.steps[2] = { name: 'profile', url: `${app.base}/ho-so`, keyword: 'Xin chào canbo.xa' };
    const out = await transaction.run(target, ctx());
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    expect(out.transaction?.steps[1]?.statusCode).toBe(302);
    expect(seen()).toEqual(['GET /dang-nhap', 'POST /dang-nhap', 'GET /ho-so']);
  });

  it('wrong password: failedStep "login", later steps not run, the password nowhere in the outcome', async () => {
    const wrong = 'Sai#mật khẩu&2024';
    writeCredentials({ username: app.account.username, password: wrong });
    const out = await transaction.run(formFlow(), ctx());
    expect(out.ok).toBe(false);
    expect(out.transaction?.failedStep).toBe('login');
    expect(names(out.transaction?.steps)).toEqual(['login-page', 'login']);
    expect(out.error).toEqual({
      code: 'CW_ERR_PROBE_HTTP_KEYWORD',
      message: expect.stringMatching(/^login: keyword "Xin chào" not found/),
    });
    expect(out.transaction?.steps[1]?.error?.message).toMatch(/^keyword "Xin chào" not found/);
    expect(out.latencyMs).toBeUndefined(); // the profile step never ran: no comparable total
    expect(seen()).not.toContain('GET /api/ho-so');
    const text = JSON.stringify(out);
    for (const form of [wrong, encodeURIComponent(wrong), new URLSearchParams({ p: wrong }).toString().slice(2)])
      expect(text).not.toContain(form);
  });

  it('a JSON login that fails answers 401: failedStep with the status, and an echoed credential is masked', async () => {
    process.env.CW_TEST_HOTICH = JSON.stringify({ username: 'nguoi.la', password: 'khong-dung' });
    const login = {
      name: 'login',
      url: `${app.base}/api/login`,
      method: 'POST' as const,
      json: { username: '${username}', password: '${password}' },
    };
    const out = await transaction.run({ credentials: { env: 'CW_TEST_HOTICH' }, steps: [login] }, ctx());
    expect(out.error).toEqual({ code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'login: status 401, expected 200-399' });
    expect(app.requests[0]).toMatchObject({
      contentType: 'application/json',
      body: '{"username":"nguoi.la","password":"khong-dung"}',
    });
    // The app echoes the username; a check that quotes the value it found must not leak it.
    const echo = await transaction.run(
      {
        credentials: { env: 'CW_TEST_HOTICH' },
        steps: [{ ...login, expectStatus: [401], jsonPath: { path: '$.username', equals: 'canbo.xa' } }],
      },
      ctx(),
    );
    expect(echo.error).toEqual({
      code: 'CW_ERR_PROBE_HTTP_JSON',
      message: 'login: $.username is "***", expected "canbo.xa"',
    });
    expect(JSON.stringify(echo)).not.toContain('nguoi.la');
  });

  it('a JSON login with credentials from an environment variable: ok through the redirect to the API', async () => {
    process.env.CW_TEST_HOTICH = JSON.stringify(app.account);
    const out = await transaction.run(
      {
        credentials: { env: 'CW_TEST_HOTICH' },
        steps: [
          {
            name: 'login',
            url: `${app.base}/api/login`,
            method: 'POST',
            json: { username: '${username}', password: '${password}', nho: true },
          },
          { name: 'list', url: `${app.base}/api/ho-so`, jsonPath: { path: '$.data.items[1].id', equals: 'HS-002' } },
        ],
      },
      ctx(),
    );
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    expect(seen()).toEqual(['POST /api/login', 'GET /api/ho-so', 'GET /api/ho-so']);
  });

  it('the account is refused (a locked user): failedStep "login"', async () => {
    app.faults.loginRejects = true;
    const out = await transaction.run(formFlow(), ctx());
    expect(out.transaction?.failedStep).toBe('login');
    expect(out.error?.code).toBe('CW_ERR_PROBE_HTTP_KEYWORD');
  });

  it('the pages behind the login answer 500: failedStep "profile" with its status; latency still summed', async () => {
    app.faults.profileError = true;
    const target = formFlow();
    // The login stops at its 302, so the broken page is reached by the profile step, not by the login's redirect.
    target.steps[1] = { ...target.steps[1]!, followRedirects: false, keyword: undefined };
    const out = await transaction.run(target, ctx());
    expect(out.error).toEqual({ code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'profile: status 500, expected 200-399' });
    expect(out.transaction?.failedStep).toBe('profile');
    expect(out.transaction?.steps.map((s) => [s.name, s.ok, s.statusCode])).toEqual([
      ['login-page', true, 200],
      ['login', true, 302],
      ['profile', false, 500],
    ]);
    expect(out.latencyMs).toBeCloseTo(
      out.transaction!.steps.reduce((sum, s) => sum + s.durationMs, 0),
      2,
    );
    // Following the login's redirect lands on the broken page inside the login step, which is then the one to fail.
    const followed = await transaction.run(formFlow(), ctx());
    expect(followed.error).toEqual({
      code: 'CW_ERR_PROBE_HTTP_STATUS',
      message: 'login: status 500, expected 200-399',
    });
  });

  it.each([
    [{ path: '$.data.total', equals: 13 }, '$.data.total is 12, expected 13'],
    [{ path: '$.data.total', equals: '12' }, '$.data.total is 12, expected "12"'],
    [{ path: '$.data.items[5].id' }, '$.data.items[5].id not found in the JSON body'],
    [{ path: '$.data.error', exists: false }, undefined],
    [{ path: '$.data.owner', exists: false }, '$.data.owner is present ("***"), expected absent'],
  ])('jsonPath %j → %s', async (jsonPath, message) => {
    const target = formFlow();
    target.steps[2] = { ...target.steps[2]!, jsonPath };
    const out = await transaction.run(target, ctx());
    if (message === undefined) expect(out.ok, JSON.stringify(out.error)).toBe(true);
    else expect(out.error).toEqual({ code: 'CW_ERR_PROBE_HTTP_JSON', message: `profile: ${message}` });
  });

  it('a keyword missing, or a jsonPath on an HTML page, fails that step', async () => {
    const target = formFlow();
    target.steps[0] = { ...target.steps[0]!, keyword: 'Cổng dịch vụ công' };
    const keyword = await transaction.run(target, ctx());
    expect(keyword.error?.message).toMatch(
      /^login-page: keyword "Cổng dịch vụ công" not found in the first \d+ bytes of the body$/,
    );
    expect(names(keyword.transaction?.steps)).toEqual(['login-page']);
    const html = await transaction.run(
      { steps: [{ name: 'page', url: `${app.base}/dang-nhap`, jsonPath: { path: '$.ok' } }] },
      ctx(),
    );
    expect(html.error).toEqual({
      code: 'CW_ERR_PROBE_HTTP_JSON',
      message: expect.stringMatching(/^page: body is not JSON \(first \d+ bytes read\)$/),
    });
  });

  it.skipIf(process.platform === 'win32')(
    'a credentials file readable by others is refused before anything is sent; 0600 is accepted',
    async () => {
      writeCredentials(app.account, 0o644);
      const out = await transaction.run(formFlow(), ctx());
      expect(out.error).toEqual({
        code: 'CW_ERR_PROBE_CREDENTIALS',
        message: `credentials file ${credFile} is open to other users (mode 0644); run: chmod 600 ${credFile}`,
      });
      expect(out.transaction).toEqual({ steps: [] });
      expect(app.requests).toEqual([]);
      chmodSync(credFile, 0o600);
      expect((await transaction.run(formFlow(), ctx())).ok).toBe(true);
    },
  );

  it('an unset environment variable: CW_ERR_PROBE_CREDENTIALS, nothing sent', async () => {
    const out = await transaction.run({ ...formFlow(), credentials: { env: 'CW_TEST_HOTICH' } }, ctx());
    expect(out.error).toEqual({
      code: 'CW_ERR_PROBE_CREDENTIALS',
      message: 'environment variable CW_TEST_HOTICH is not set',
    });
    expect(app.requests).toEqual([]);
  });

  it('a placeholder with no credential: failure naming the step and placeholder, and no half-done login', async () => {
    writeCredentials({ username: app.account.username });
    const out = await transaction.run(formFlow(), ctx());
    expect(out.error).toEqual({
      code: 'CW_ERR_PROBE_CREDENTIALS',
      message: 'login: placeholder ${password} has no credential (have: username)',
    });
    expect(out.transaction).toEqual({
      steps: [
        {
          name: 'login',
          ok: false,
          durationMs: 0,
          error: {
            code: 'CW_ERR_PROBE_CREDENTIALS',
            message: 'placeholder ${password} has no credential (have: username)',
          },
        },
      ],
      failedStep: 'login',
    });
    expect(app.requests).toEqual([]); // the login page step was not run either
  });

  it('a hanging step: CW_ERR_PROBE_TIMEOUT on that step within timeoutMs, later steps not run', async () => {
    app.faults.hangPath = '/api/ho-so';
    const target = formFlow();
    target.steps.push({ name: 'after', url: `${app.base}/ho-so` });
    const started = performance.now();
    const out = await transaction.run(target, ctx(400));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(out.error).toEqual({
      code: 'CW_ERR_PROBE_TIMEOUT',
      message: `profile: no response from ${app.base} within 400 ms (waiting for the response)`,
    });
    expect(out.transaction?.failedStep).toBe('profile');
    expect(out.transaction?.steps.map((s) => s.ok)).toEqual([true, true, false]);
    expect(out.transaction?.steps[2]?.statusCode).toBeUndefined();
    expect(out.latencyMs).toBeUndefined();
    expect(seen()).toEqual(['GET /dang-nhap', 'POST /dang-nhap', 'GET /ho-so', 'GET /api/ho-so']); // no second GET /ho-so
  });

  it('an aborted ctx.signal (agent shutdown) stops the round at the running step', async () => {
    app.faults.hangPath = '/ho-so';
    const controller = new AbortController();
    const held = app.arrived('/ho-so');
    const running = transaction.run(formFlow(), ctx(10_000, controller.signal));
    await held; // the login's redirect hop reached the hung page
    controller.abort();
    const out = await running;
    expect(out.error?.code).toBe('CW_ERR_PROBE_TIMEOUT');
    expect(out.transaction?.failedStep).toBe('login');
  });

  it('https: an untrusted certificate fails the first step with CW_ERR_PROBE_TLS; insecureSkipVerify logs in', async () => {
    const cert = makeSelfSignedCert(30);
    const secure = await startLoginApp(app.account, cert);
    try {
      const target = formFlow();
      target.steps = target.steps.map((s) => ({ ...s, url: s.url.replace(app.base, secure.base) }));
      const untrusted = await transaction.run(target, ctx());
      expect(untrusted.error?.code).toBe('CW_ERR_PROBE_TLS');
      expect(untrusted.transaction?.failedStep).toBe('login-page');
      expect(secure.requests).toEqual([]);
      const skipped = await transaction.run({ ...target, insecureSkipVerify: true }, ctx());
      expect(skipped.ok, JSON.stringify(skipped.error)).toBe(true);
      expect(skipped.transaction?.steps[0]?.phases?.tlsMs).toBeGreaterThan(0);
    } finally {
      await secure.close();
      cert.remove();
    }
  });

  it('config: strict schema, unique step names, no inline secrets — each problem at its key', () => {
    const problems = (fields: Record<string, unknown>): unknown =>
      resolveTargets([{ name: 'motcua', kind: 'transaction', service: 'one-stop-shop', ...fields } as never], {
        intervalSec: 300,
        timeoutMs: 30_000,
      }).problems;
    const step = { name: 'home', url: 'https://motcua.example.vn/' };
    expect(problems({ steps: [step] })).toEqual([]);
    expect(problems({ steps: [{ ...step, colour: 'blue' }], retries: 2 })).toEqual([
      { path: 'targets[0].retries', message: 'unknown key (not allowed here; check the spelling)' },
      { path: 'targets[0].steps[0].colour', message: 'unknown key (not allowed here; check the spelling)' },
    ]);
    expect(problems({ steps: [step, step] })).toEqual([
      { path: 'targets[0].steps', message: 'step names must be unique' },
    ]);
    expect(problems({ steps: [step], credentials: { password: 'hunter2' } })).toEqual([
      { path: 'targets[0].credentials.password', message: 'unknown key (not allowed here; check the spelling)' },
    ]);
    expect(problems({ steps: [{ ...step, method: 'POST', form: { p: '${password}' } }] })).toEqual([
      { path: 'targets[0]', message: 'steps use ${name} placeholders but no credentials source is set' },
    ]);
    expect(problems({ steps: [{ ...step, form: { p: 'x' } }] })).toEqual([
      { path: 'targets[0].steps[0]', message: 'form and json need method: POST' },
    ]);
    expect(problems({ steps: [step], credentials: { file: 'motcua.json' } })).toEqual([
      { path: 'targets[0].credentials', message: 'file must be an absolute path' },
    ]);
  });
});

describe('CookieJar', () => {
  const url = (u: string): URL => new URL(u);

  it('host-only by default; Domain widens to subdomains, a foreign Domain is refused', () => {
    const jar = new CookieJar();
    jar.store(url('https://motcua.hanoi.gov.vn/a'), [
      'host=1',
      'wide=2; Domain=.hanoi.gov.vn',
      'evil=3; Domain=example.com',
    ]);
    expect(jar.header(url('https://motcua.hanoi.gov.vn/'))).toBe('host=1; wide=2');
    expect(jar.header(url('https://hotich.hanoi.gov.vn/'))).toBe('wide=2');
    expect(jar.header(url('https://example.com/'))).toBeUndefined();
  });

  it('Path: the default is the directory of the request, an explicit one is matched on segment boundaries', () => {
    const jar = new CookieJar();
    jar.store(url('http://a/app/login'), ['dir=1', 'api=2; Path=/api']);
    expect(jar.header(url('http://a/app/x'))).toBe('dir=1');
    expect(jar.header(url('http://a/api/v1'))).toBe('api=2');
    expect(jar.header(url('http://a/apix'))).toBeUndefined();
    expect(jar.header(url('http://a/'))).toBeUndefined();
  });

  it('Secure cookies stay off plain http; Max-Age=0 and past Expires delete; a new value replaces the old', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    const jar = new CookieJar(() => now);
    jar.store(url('https://a/'), ['s=1; Secure', 'k=1', 'gone=1']);
    expect(jar.header(url('http://a/'))).toBe('k=1; gone=1');
    jar.store(url('https://a/'), ['k=2', 'gone=; Max-Age=0', 's=; Expires=Tue, 31 Dec 2024 23:59:59 GMT']);
    expect(jar.header(url('https://a/'))).toBe('k=2');
    jar.store(url('https://a/'), ['later=1; Expires=Wed, 01 Jan 2025 00:00:01 GMT; Max-Age=0']); // Max-Age wins
    expect(jar.header(url('https://a/'))).toBe('k=2');
  });
});
