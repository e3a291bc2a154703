import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { credentialForms } from '../../../agent/probes/credentials.js';
import type { ProbeContext } from '../../../agent/probes/probe.js';
import { transaction } from '../../../agent/probes/transaction.js';
import { ProbeOutcome } from '../../../protocol/wire.js';
import { startLoginApp, type LoginApp } from '../../helpers/login-app.js';
import { tempDir } from '../../helpers/temp-dir.js';

function ctx(latencyBudgetMs?: number): ProbeContext {
  return {
    signal: new AbortController().signal,
    timeoutMs: 3000,
    now: Date.now,
    log: pino({ level: 'silent' }),
    ...(latencyBudgetMs === undefined ? {} : { latencyBudgetMs }),
  };
}

type Target = Parameters<typeof transaction.run>[0];

/** No credential, in any form the probe sends or a server may echo it, appears anywhere in the outcome. */
function expectNoCredential(outcome: ProbeOutcome, account: Record<string, string>): void {
  const text = JSON.stringify(outcome);
  for (const form of credentialForms(account)) expect(text.toLowerCase()).not.toContain(form.toLowerCase());
  // And each text field on its own, unescaped, against the raw values.
  const strings: string[] = [];
  JSON.parse(text, (_, v: unknown) => {
    if (typeof v === 'string') strings.push(v);
    return v;
  });
  for (const s of strings) for (const v of Object.values(account)) expect(s).not.toContain(v);
}

describe('transaction probe evidence', () => {
  let app: LoginApp;
  const dir = tempDir('cw-tx-ev-');
  let credFile: string;

  const formFlow = (): Target => ({
    credentials: { file: credFile },
    steps: [
      { name: 'login-page', url: `${app.base}/dang-nhap?lang=vi`, keyword: 'Đăng nhập hệ thống một cửa' },
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

  beforeAll(async () => {
    app = await startLoginApp();
    credFile = join(dir.path, 'motcua.json');
    writeFileSync(credFile, JSON.stringify(app.account));
    chmodSync(credFile, 0o600);
  });
  beforeEach(() => {
    Object.assign(app.faults, { loginRejects: false, profileError: false, hangPath: undefined });
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('an ok visit: every step with URL, address, status line and conditions ✓; the whole visit against the budget', async () => {
    const out = await transaction.run(formFlow(), ctx(10_000));
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    const [page, login, profile] = out.transaction!.steps;
    const { port } = new URL(app.base);
    expect(page).toMatchObject({
      url: `${app.base}/dang-nhap`,
      address: `127.0.0.1:${port}`,
      statusLine: 'HTTP/1.1 200 OK',
      conditions: [
        { subject: 'STATUS', condition: '== 200-399', actual: '200', ok: true },
        { subject: 'BODY', condition: 'contains "Đăng nhập hệ thống một cửa"', actual: 'found', ok: true },
      ],
    });
    expect(page!.bodyPreview).toContain('Đăng nhập hệ thống một cửa');
    expect(page!.bodyPreview).toContain('name="_csrf" value="***"'); // the pre-login token
    expect(login).toMatchObject({ url: `${app.base}/ho-so`, statusLine: 'HTTP/1.1 200 OK' });
    expect(login!.bodyPreview).toContain('Xin chào ***'); // the page greets the user by name
    expect(profile!.conditions).toEqual([
      { subject: 'STATUS', condition: '== 200-399', actual: '200', ok: true },
      { subject: 'BODY', condition: '$.data.total == 12', actual: '12', ok: true },
    ]);
    expect(out.transaction!.conditions).toEqual([
      { subject: 'RESPONSE_TIME', condition: '<= 10000 ms', actual: expect.stringMatching(/ ms$/), ok: true },
    ]);
    expect(Value.Check(ProbeOutcome, out)).toBe(true);
    expectNoCredential(out, app.account);
  });

  it('a refused JSON login that echoes the username: the failed step shows its body, credentials nowhere', async () => {
    const out = await transaction.run(
      {
        credentials: { file: credFile },
        steps: [
          {
            name: 'login',
            url: `${app.base}/api/login?u=\${username}`,
            method: 'POST',
            json: { username: '${username}', password: 'wrong-${password}' },
            jsonPath: { path: '$.error', exists: false },
          },
        ],
      },
      ctx(),
    );
    expect(out.ok).toBe(false);
    const [login] = out.transaction!.steps;
    expect(login).toMatchObject({ url: `${app.base}/api/login`, statusLine: 'HTTP/1.1 401 Unauthorized', ok: false });
    expect(login!.conditions).toEqual([
      { subject: 'STATUS', condition: '== 200-399', actual: '401', ok: false },
      { subject: 'BODY', condition: '$.error absent', actual: '"invalid credentials"', ok: false },
    ]);
    expect(login!.bodyPreview).toBe('{"error":"invalid credentials","username":"***"}');
    expectNoCredential(out, app.account);
  });

  it('a credential in the URL path is masked in the step URL; a 500 behind the login shows its body', async () => {
    const flow = formFlow();
    flow.steps[2] = { name: 'profile', url: `${app.base}/api/ho-so/\${username}`, expectStatus: [404] };
    const masked = await transaction.run(flow, ctx());
    expect(masked.transaction!.steps[2]!.url).toBe(`${app.base}/api/ho-so/***`);
    expect(masked.ok, JSON.stringify(masked.error)).toBe(true);
    expectNoCredential(masked, app.account);
    app.faults.profileError = true;
    const flowToBroken = formFlow();
    flowToBroken.steps[1] = {
      name: 'login',
      url: `${app.base}/dang-nhap`,
      method: 'POST',
      form: { username: '${username}', password: '${password}' },
      followRedirects: false,
    };
    const broken = await transaction.run(flowToBroken, ctx(10_000));
    expect(broken.transaction?.failedStep).toBe('profile');
    const profile = broken.transaction!.steps[2]!;
    expect(profile.bodyPreview).toBe('{"error":"database unavailable"}');
    expect(profile.conditions?.[1]).toEqual({
      subject: 'BODY',
      condition: '$.data.total == 12',
      actual: 'absent',
      ok: false,
    });
    expect(broken.transaction?.conditions?.[0]?.ok).toBe(true); // the last step answered: the visit was timed
    expectNoCredential(broken, app.account);
  });
});
