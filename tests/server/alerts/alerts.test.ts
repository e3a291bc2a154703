/**
 * Alerts end to end on real components: results through the ingest API with an injected clock, incidents,
 * routing and grouping, the persisted queue, and delivery to a real SMTP server (smtp-server, parsed with
 * mailparser) and to a local HTTP server standing in for a webhook, Telegram and Zalo. Exact counts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { buildApp, type App } from '../../../server/app.js';
import { ServerConfigSchema, type ServerConfig } from '../../../server/config.js';
import { openSqliteStore, type SqliteStore } from '../../../server/store/sqlite-store.js';
import type { Store } from '../../../server/store/store.js';
import { webhookSignature } from '../../../server/alerts/notifiers/webhook.js';
import type { AlertConfig } from '../../../server/alerts/alert-config.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { makeSelfSignedCert } from '../../helpers/tls-cert.js';
import { startRecorder, type Recorder } from '../../helpers/recorder.js';
import { IngestDriver, MIN } from '../../helpers/ingest-driver.js';

const T0 = Date.parse('2026-11-24T01:00:00Z'); // Tuesday 08:00 in Vietnam: office hours
const COMMUNES = ['10001', '10002', '10003', '10004', '10005', '10006', '10007', '10008', '10009', '10010'];

describe('alerts', () => {
  const dir = tempDir();
  let smtp: TestSmtp;
  let hooks: Recorder;
  let store: Store;
  let built: App;
  let driver: IngestDriver;
  let config: ServerConfig;
  const time = { now: T0 };

  beforeEach(async () => {
    time.now = T0;
    smtp = await startSmtp();
    hooks = await startRecorder();
    // As the real APIs answer: Zalo says 200 with an error code, 0 meaning sent.
    hooks.answer('/v3.0/oa/message/cs', 200, { error: 0, message: 'Success' });
  });
  afterEach(async () => {
    await built.app.close();
    store.close();
    await smtp.close();
    await hooks.close();
  });

  function secret(name: string, value: string): string {
    const file = join(dir.path, `${randomUUID()}-${name}`);
    writeFileSync(file, value, { mode: 0o600 });
    return file;
  }

  async function setup(
    route: Partial<NonNullable<AlertConfig['route']>> = {},
    extra: Partial<AlertConfig> = {},
    incidents: Partial<ServerConfig['incidents']> = {},
  ) {
    store = openSqliteStore({ file: join(dir.path, `${randomUUID()}.db`) });
    config = Value.Default(ServerConfigSchema, {}) as ServerConfig;
    config.incidents = { ...config.incidents, ...incidents };
    config.alerts = {
      ...config.alerts,
      baseUrl: 'https://giamsat.example.gov.vn',
      smtp: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        requireTls: false,
        from: 'CommuneWatch <giamsat@example.gov.vn>',
        timeoutMs: 5000,
      },
      receivers: [
        {
          name: 'so-khcn',
          email: [{ to: ['it@example.gov.vn', 'truc@example.gov.vn'] }],
          webhook: [{ url: `${hooks.url}/hook`, secret: { file: secret('hook', 'hook-secret') }, timeoutMs: 5000 }],
          telegram: [{ botToken: { file: secret('tg', '123:ABC') }, chatId: '-100200', apiUrl: hooks.url }],
          zalo: [{ accessToken: { file: secret('zalo', 'zalo-token') }, userIds: ['111', '222'], apiUrl: hooks.url }],
        },
        { name: 'lanh-dao', email: [{ to: ['lanhdao@example.gov.vn'] }] },
      ],
      route: { receiver: 'so-khcn', groupWaitSec: 30, groupIntervalSec: 300, repeatIntervalSec: 3600, ...route },
      delivery: { minBackoffSec: 10, maxBackoffSec: 60, maxAttempts: 5, tickSec: 5 },
      ...extra,
    };
    built = await buildApp({ store, config, now: () => time.now, timers: false });
    driver = new IngestDriver(built, store, COMMUNES, time);
  }

  /** What the background timer does, at the current injected time. */
  async function tick(at?: number) {
    if (at !== undefined) time.now = at;
    store.transaction(() => built.alerting.tick());
    await built.alerting.deliver();
  }

  const telegramCalls = () => hooks.requests.filter((r) => r.url.startsWith('/bot'));
  const zaloCalls = () => hooks.requests.filter((r) => r.url.startsWith('/v3.0/oa/message/cs'));
  const webhookCalls = () => hooks.requests.filter((r) => r.url === '/hook');

  it('a service down at 3 of 10 communes: one message per channel, in Vietnamese, then one resolved message', async () => {
    await setup();
    for (const c of COMMUNES) await driver.rounds(c, 'motcua', T0, 1, true);
    for (const c of COMMUNES.slice(0, 3))
      await driver.rounds(c, 'motcua', T0 + 2 * MIN, 3, false, { layer: 'service' });
    await tick(T0 + 7 * MIN); // group_wait (30 s) has passed since the central incident opened at 08:06
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.subject).toBe(
      '[CommuneWatch] ĐANG LỖI: Hệ thống một cửa điện tử lỗi ở phía máy chủ (nhiều xã cùng lỗi) — 3 xã',
    );
    expect(smtp.envelopes[0]).toEqual(['it@example.gov.vn', 'truc@example.gov.vn']);
    expect(mail.text).toContain('3 xã: 10001, 10002, 10003');
    expect(mail.text).toContain('Từ 24/11/2026 08:02');
    expect(mail.text).toContain('Vị trí lỗi: phía máy chủ của dịch vụ');
    expect(mail.text).toMatch(/Chi tiết: https:\/\/giamsat\.example\.gov\.vn\/incidents\/\d+/);
    // The webhook, signed; Telegram once; Zalo once per follower.
    expect(webhookCalls()).toHaveLength(1);
    const hook = webhookCalls()[0]!;
    expect(hook.headers['x-communewatch-signature']).toBe(
      webhookSignature('hook-secret', hook.headers['x-communewatch-timestamp'] as string, hook.body),
    );
    expect(JSON.parse(hook.body)).toMatchObject({
      version: 1,
      kind: 'firing',
      firing: [{ cause: 'central-service', service: 'one-stop-shop' }],
    });
    expect(telegramCalls()).toHaveLength(1);
    expect(telegramCalls()[0]!.url).toBe('/bot123:ABC/sendMessage');
    expect(JSON.parse(telegramCalls()[0]!.body)).toMatchObject({
      chat_id: '-100200',
      text: expect.stringContaining('ĐANG LỖI'),
    });
    expect(zaloCalls().map((r) => JSON.parse(r.body).recipient.user_id)).toEqual(['111', '222']);
    expect(zaloCalls()[0]!.headers.access_token).toBe('zalo-token');
    // Recovery at all three: one resolved message.
    for (const c of COMMUNES.slice(0, 3)) await driver.rounds(c, 'motcua', T0 + 10 * MIN, 2, true);
    await tick(T0 + 12 * MIN);
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1]!.subject).toMatch(/^\[CommuneWatch\] ĐÃ KHẮC PHỤC: Hệ thống một cửa điện tử/);
    expect(smtp.mails[1]!.text).toContain('24/11/2026 08:02 – 24/11/2026 08:10 (8 phút)');
    await tick(T0 + 12 * MIN + 30_000);
    expect(smtp.mails).toHaveLength(2); // nothing fires: no reminder
    // The same outage again soon after the resolved notice: announced after groupWait (a new group, as in
    // Alertmanager), not held until groupInterval after the last message.
    for (const c of COMMUNES.slice(0, 3))
      await driver.rounds(c, 'motcua', T0 + 13 * MIN, 3, false, { layer: 'service' });
    await tick(T0 + 16 * MIN);
    expect(smtp.mails).toHaveLength(3);
    expect(smtp.mails[2]!.subject).toBe(
      '[CommuneWatch] ĐANG LỖI: Hệ thống một cửa điện tử lỗi ở phía máy chủ (nhiều xã cùng lỗi) — 3 xã',
    );
    expect(store.alerts.listNotifications({ limit: 100 }).every((n) => n.status === 'sent')).toBe(true);
  });

  it('a server restart loses no notification: what was queued is sent by the next server', async () => {
    await setup();
    const file = (store as SqliteStore).file;
    smtp.refuseNext(1);
    await driver.rounds('10001', 'motcua', T0, 3, false, { layer: 'uplink' });
    await tick(T0 + 3 * MIN); // queued, first attempt refused
    expect(smtp.mails).toHaveLength(0);
    // The server stops (and the in-flight state with it) and starts again on the same database.
    await built.app.close();
    store.close();
    store = openSqliteStore({ file });
    built = await buildApp({ store, config, now: () => time.now, timers: false });
    await tick(T0 + 4 * MIN);
    expect(smtp.mails.map((m) => m.subject)).toEqual(['[CommuneWatch] ĐANG LỖI: Mất kết nối mạng tại xã — 10001']);
  });

  it('sends over STARTTLS with a login, trusting a private CA given as caFile', async () => {
    const cert = makeSelfSignedCert();
    const tlsSmtp = await startSmtp({ tls: cert, user: 'giamsat', pass: 'mật-khẩu' });
    try {
      const caFile = join(dir.path, `${randomUUID()}-ca.pem`);
      writeFileSync(caFile, cert.cert);
      await setup(
        {},
        {
          smtp: {
            host: '127.0.0.1',
            port: tlsSmtp.port,
            secure: false,
            requireTls: true,
            user: 'giamsat',
            password: { file: secret('smtp', 'mật-khẩu') },
            from: 'CommuneWatch <giamsat@example.gov.vn>',
            timeoutMs: 5000,
            caFile,
          },
        },
      );
      await driver.rounds('10001', 'motcua', T0, 3, false, { layer: 'uplink' });
      await tick(T0 + 3 * MIN);
      expect(tlsSmtp.mails.map((m) => m.subject)).toEqual(['[CommuneWatch] ĐANG LỖI: Mất kết nối mạng tại xã — 10001']);
      expect(smtp.mails).toHaveLength(0);
    } finally {
      await tlsSmtp.close();
      cert.remove();
    }
  });

  it("reads Zalo's error codes: an expired token is retried, a user who does not follow the OA is given up", async () => {
    await setup();
    hooks.answer('/v3.0/oa/message/cs', 200, { error: -216, message: 'Access token is invalid' });
    await driver.rounds(COMMUNES[0]!, 'motcua', T0, 3, false, { layer: 'uplink' });
    await tick(T0 + 3 * MIN);
    const zaloRow = () => store.alerts.listNotifications({ limit: 10 }).find((n) => n.channel === 'zalo')!;
    expect(zaloRow()).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'zalo user 111: error -216 Access token is invalid',
    });
    hooks.answer('/v3.0/oa/message/cs', 200, { error: -213, message: 'User has not followed OA' });
    await tick(T0 + 3 * MIN + 11_000);
    expect(zaloRow()).toMatchObject({ status: 'dead', attempts: 2 });
    const viaApi = await built.app.inject({
      url: '/api/v1/notifications?status=dead',
      headers: { authorization: `Bearer ${store.apiTokens.create({ name: 'v', role: 'viewer', now: T0 }).token}` },
    });
    expect(viaApi.json().notifications).toMatchObject([
      { channel: 'zalo', lastError: expect.stringContaining('-213') },
    ]);
  });

  it('retries after the SMTP server refuses, and keeps the failure visible meanwhile', async () => {
    await setup();
    smtp.refuseNext(1);
    await driver.rounds(COMMUNES[0]!, 'motcua', T0, 3, false, { layer: 'uplink' });
    await tick(T0 + 3 * MIN);
    expect(smtp.mails).toHaveLength(0);
    const [pending] = store.alerts
      .listNotifications({ status: 'pending', limit: 10 })
      .filter((n) => n.channel === 'email');
    expect(pending).toMatchObject({ attempts: 1, lastError: expect.stringContaining('451') });
    await tick(T0 + 3 * MIN + 5_000);
    expect(smtp.mails).toHaveLength(0); // backoff: not before 10 s
    await tick(T0 + 3 * MIN + 11_000);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.subject).toBe('[CommuneWatch] ĐANG LỖI: Mất kết nối mạng tại xã — 10001');
    expect(store.alerts.listNotifications({ limit: 10 }).find((n) => n.channel === 'email')).toMatchObject({
      status: 'sent',
      attempts: 2,
    });
  });

  it('groups: forty communes losing their network at once make one message per receiver, not forty', async () => {
    await setup({ groupBy: ['cause'] });
    for (const c of COMMUNES) await driver.rounds(c, 'motcua', T0, 3, false, { layer: 'uplink' });
    await tick(T0 + 10 * MIN);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.subject).toBe('[CommuneWatch] ĐANG LỖI: Mất kết nối mạng tại xã — 10001 (+9)');
    expect(smtp.mails[0]!.text).toContain('Đang lỗi (10)');
  });

  it('a maintenance window holds notifications back; one that is still failing after it is sent then', async () => {
    await setup();
    const res = await built.app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      headers: { authorization: `Bearer ${store.apiTokens.create({ name: 'it', role: 'admin', now: T0 }).token}` },
      payload: {
        kind: 'maintenance',
        matchers: { commune: ['10001'] },
        startsAt: T0,
        endsAt: T0 + 30 * MIN,
        comment: 'Nâng cấp đường truyền',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    await driver.rounds('10001', 'motcua', T0, 3, false, { layer: 'uplink' });
    await driver.rounds('10002', 'motcua', T0, 3, false, { layer: 'uplink' });
    await tick(T0 + 5 * MIN);
    expect(smtp.mails.map((m) => m.subject)).toEqual(['[CommuneWatch] ĐANG LỖI: Mất kết nối mạng tại xã — 10002']);
    await tick(T0 + 20 * MIN);
    expect(smtp.mails).toHaveLength(1);
    await tick(T0 + 31 * MIN); // the window is over and 10001 is still down: an update to the same group
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1]!.subject).toBe('[CommuneWatch] CẬP NHẬT: Mất kết nối mạng tại xã — 10001 (+1)');
  });

  it('outside office hours a digest route waits for the next session; the outage is still recorded at its time', async () => {
    await setup({ outsideHours: 'digest' });
    const night = Date.parse('2026-11-24T15:00:00Z'); // 22:00 Tuesday in Vietnam
    await driver.rounds('10001', 'motcua', night, 3, false, { layer: 'uplink' });
    await tick(night + 5 * MIN);
    await tick(Date.parse('2026-11-24T23:00:00Z')); // 06:00 Wednesday
    expect(smtp.mails).toHaveLength(0);
    expect(store.incidents.list({ limit: 10 })[0]).toMatchObject({ cause: 'commune-network', startedAt: night });
    await tick(Date.parse('2026-11-25T00:30:00Z')); // 07:30 Wednesday: the first session
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.subject).toBe('[CommuneWatch] TỔNG HỢP NGOÀI GIỜ: Mất kết nối mạng tại xã — 10001');
  });

  it('escalates an incident nobody acknowledged, once; reminds while it keeps failing', async () => {
    await setup({ escalateAfterSec: 1800, escalateTo: 'lanh-dao' });
    await driver.rounds('10001', 'motcua', T0, 3, false, { layer: 'uplink' });
    await driver.rounds('10002', 'portal', T0, 3, false, { layer: 'service', service: 'portal' });
    const [first] = store.incidents.list({ commune: '10002', limit: 1 });
    const ack = await built.app.inject({
      method: 'POST',
      url: `/api/v1/incidents/${first!.id}/ack`,
      headers: {
        authorization: `Bearer ${store.apiTokens.create({ name: 'truc-ban', role: 'admin', now: T0 }).token}`,
      },
    });
    expect(ack.statusCode).toBe(200);
    await tick(T0 + 5 * MIN);
    expect(smtp.mails).toHaveLength(2); // one per group (cause, service)
    await tick(T0 + 31 * MIN);
    await tick(T0 + 40 * MIN);
    const toLeaders = smtp.envelopes
      .map((e, i) => [e, smtp.mails[i]!.subject] as const)
      .filter(([e]) => e.includes('lanhdao@example.gov.vn'));
    expect(toLeaders.map(([, s]) => s)).toEqual([
      '[CommuneWatch] CHUYỂN CẤP: CHƯA AI XỬ LÝ: Mất kết nối mạng tại xã — 10001',
    ]);
    await tick(T0 + 66 * MIN); // repeatInterval: 1 h after the first messages (08:05)
    const reminders = smtp.mails.filter((m) => m.subject?.includes('NHẮC LẠI'));
    expect(reminders).toHaveLength(2);
  });

  it(
    'an agent silent then backfilled: the silence told as such, then one message that closes ' +
      'the story with the real times and layer',
    async () => {
      await setup();
      const c = '10001';
      await driver.rounds(c, 'motcua', T0, 1, true);
      time.now = T0 + 10 * MIN;
      store.transaction(() => built.incidents.checkSilence(time.now));
      await tick(T0 + 11 * MIN);
      // While cut off, the server knows only that the agent is silent, and says so.
      expect(smtp.mails.map((m) => m.subject)).toEqual([
        '[CommuneWatch] ĐANG LỖI: Xã 10001 mất liên lạc với máy chủ — thường do mạng của xã',
      ]);
      // Back at 08:20 with what it buffered: the uplink was down 08:01–08:15.
      time.now = T0 + 20 * MIN;
      const buffered = Array.from({ length: 19 }, (_, k) =>
        driver.result(c, 'motcua', T0 + (k + 1) * MIN, k + 1 >= 15, k + 1 < 15 ? { layer: 'uplink' } : {}),
      );
      await driver.push(c, buffered, { outboxPending: buffered.length });
      // Its next live round, measured with the link back, shows the commune has caught up.
      time.now = T0 + 20 * MIN + 40_000;
      await driver.push(c, [driver.result(c, 'motcua', T0 + 20 * MIN + 30_000, true)], { outboxPending: 1 });
      await tick(T0 + 21 * MIN);
      await tick(T0 + 30 * MIN);
      // One message: the network outage the backfill revealed, confirmed with its real times and layer (never a
      // FIRING for something over), and the silence resolved, saying the record was corrected.
      expect(smtp.mails.map((m) => m.subject)).toEqual([
        '[CommuneWatch] ĐANG LỖI: Xã 10001 mất liên lạc với máy chủ — thường do mạng của xã',
        '[CommuneWatch] ĐÃ XÁC NHẬN: Mất kết nối mạng tại xã — 10001 (+1)',
      ]);
      expect(smtp.mails[1]!.text).toContain(
        'Đã xác nhận: mạng của Xã 10001 mất từ 24/11/2026 08:01 đến 08:15, tầng uplink',
      );
      expect(smtp.mails[1]!.text).toContain('Đã khắc phục (1)');
      expect(smtp.mails[1]!.text).toContain('Máy giám sát vẫn hoạt động trong lúc mất kết nối');
      const silent = store.incidents.list({ cause: 'agent-silent', limit: 5, includeDeleted: true })[0]!;
      expect(silent).toMatchObject({ superseded: true, corrected: true });
      const network = store.incidents.list({ cause: 'commune-network', limit: 5 })[0]!;
      expect(network).toMatchObject({ startedAt: T0 + MIN, endedAt: T0 + 15 * MIN });
    },
  );

  it('a flapping target: damping stops the pairs of messages once it is flapping', async () => {
    await setup({ groupIntervalSec: 60 }, {}, { flap: { changes: 4, windowSec: 3600, stableSec: 600 } });
    let t = T0;
    // Down 3 rounds, up 2, four times over: eight state changes.
    for (let cycle = 0; cycle < 4; cycle++) {
      await driver.rounds('10001', 'motcua', t, 3, false, { layer: 'service' });
      await tick(t + 3 * MIN);
      await driver.rounds('10001', 'motcua', t + 3 * MIN, 2, true);
      await tick(t + 5 * MIN);
      t += 5 * MIN;
    }
    await driver.rounds('10001', 'motcua', t, 12, true);
    await tick(t + 12 * MIN);
    // The first flap is a normal outage and recovery; from the fourth change on, one incident stays open
    // (flapping) until the target has been up for ten minutes: one more pair, not three.
    expect(smtp.mails.map((m) => m.subject!.replace(/:.*/, ''))).toEqual([
      '[CommuneWatch] ĐANG LỖI',
      '[CommuneWatch] ĐÃ KHẮC PHỤC',
      '[CommuneWatch] ĐANG LỖI',
      '[CommuneWatch] ĐÃ KHẮC PHỤC',
    ]);
    expect(store.incidents.list({ limit: 10 }).map((i) => i.flapping)).toEqual([true, false]);
  });

  it('refuses a config whose routes name unknown receivers, with the key path', async () => {
    const { checkAlertConfig } = await import('../../../server/alerts/alert-config-check.js');
    const problems = checkAlertConfig({
      ...(Value.Default(ServerConfigSchema, {}) as ServerConfig).alerts,
      receivers: [{ name: 'a', webhook: [{ url: 'http://x', timeoutMs: 1000 }] }],
      route: { receiver: 'a', routes: [{ match: { cause: ['agent-silent'] }, receiver: 'b' }] },
    });
    expect(problems).toEqual([
      { path: 'alerts.route.routes[0].receiver', message: 'no receiver named "b" in alerts.receivers' },
    ]);
  });
});
