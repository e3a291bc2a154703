/**
 * The Mattermost channel end to end, added as one notifier module and one registry line: a YAML config
 * with the hook URL in a secret file (relative to the config), an outage ingested through the real API,
 * and the message posted to a small HTTP server standing in for Mattermost. Its failures: a 5xx is retried,
 * a refused hook is given up; the URL — the hook's credential — never shows in an error.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, type App } from '../../../server/app.js';
import { loadServerConfig } from '../../../server/config.js';
import { openSqliteStore } from '../../../server/store/sqlite-store.js';
import type { Store } from '../../../server/store/store.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { startRecorder, type Recorder } from '../../helpers/recorder.js';
import { IngestDriver, MIN } from '../../helpers/ingest-driver.js';

const T0 = Date.parse('2026-11-24T01:00:00Z'); // Tuesday 08:00 in Vietnam: office hours
const HOOK = '/hooks/3xuqkz8mfbgp5r1c'; // the secret part of a Mattermost incoming webhook URL

describe('mattermost channel', () => {
  const dir = tempDir();
  let chat: Recorder;
  let store: Store;
  let built: App | undefined;
  const time = { now: T0 };

  beforeEach(async () => {
    time.now = T0;
    chat = await startRecorder();
    chat.answer(HOOK, 200, 'ok');
  });
  afterEach(async () => {
    await built?.app.close();
    built = undefined;
    store?.close();
    await chat.close();
  });

  /** A config file as an operator writes it; the hook URL in `hook-url` beside it (owner-only). */
  function configFile(target: string): string {
    const folder = join(dir.path, randomUUID());
    const file = join(folder, 'server.yaml');
    mkdirSync(folder);
    writeFileSync(join(folder, 'hook-url'), `${chat.url}${HOOK}\n`, { mode: 0o600 });
    writeFileSync(
      file,
      `alerts:
  baseUrl: https://giamsat.example.gov.vn
  receivers:
    - name: so-khcn
      mattermost:
        - ${target}
  route: { receiver: so-khcn, groupWaitSec: 10 }
  delivery: { minBackoffSec: 10, maxBackoffSec: 60, maxAttempts: 5, tickSec: 5 }
`,
    );
    return file;
  }

  async function start(target = '{ webhookUrl: { file: hook-url }, channel: giam-sat }') {
    const config = loadServerConfig({ config: configFile(target) });
    store = openSqliteStore({ file: join(dir.path, `${randomUUID()}.db`) });
    built = await buildApp({ store, config, now: () => time.now, timers: false });
    return new IngestDriver(built, store, ['10001'], time);
  }

  async function tick(at: number) {
    time.now = at;
    store.transaction(() => built!.alerting.tick());
    await built!.alerting.deliver();
  }

  const row = () => store.alerts.listNotifications({ limit: 10 }).find((n) => n.channel === 'mattermost')!;

  it('posts the message as text to the channel named, read from the secret file beside the config', async () => {
    const driver = await start();
    await driver.rounds('10001', 'motcua', T0, 3, false, { layer: 'uplink' });
    await tick(T0 + 3 * MIN);
    expect(chat.requests).toHaveLength(1);
    const post = chat.requests[0]!;
    expect(post.url).toBe(HOOK);
    expect(post.headers['content-type']).toBe('application/json');
    const body = JSON.parse(post.body) as { text: string; channel: string };
    expect(body.channel).toBe('giam-sat');
    expect(body.text).toMatch(/^\[CommuneWatch\] ĐANG LỖI: /);
    expect(body.text).toMatch(/Chi tiết: https:\/\/giamsat\.example\.gov\.vn\/incidents\/\d+/);
    expect(row()).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('retries a 5xx, gives up a refused hook, and never shows the URL in the error', async () => {
    const driver = await start('{ webhookUrl: { file: hook-url } }');
    chat.answer(HOOK, 503, { message: 'down for maintenance' });
    await driver.rounds('10001', 'motcua', T0, 3, false, { layer: 'uplink' });
    await tick(T0 + 3 * MIN);
    expect(JSON.parse(chat.requests[0]!.body)).not.toHaveProperty('channel');
    expect(row()).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringMatching(/^mattermost hook: HTTP 503/),
    });
    chat.answer(HOOK, 400, {
      id: 'web.incoming_webhook.disabled.app_error',
      message: 'Incoming webhooks are disabled',
    });
    await tick(T0 + 3 * MIN + 11_000);
    expect(row()).toMatchObject({ status: 'dead', attempts: 2, lastError: expect.stringContaining('HTTP 400') });
    expect(row().lastError).not.toContain(HOOK);
  });

  it('refuses a misspelt target key with its path and line, like every config problem', () => {
    const file = configFile('{ url: https://chat.example.gov.vn/hooks/x }');
    expect(() => loadServerConfig({ config: file })).toThrow(
      `invalid config ${file}:\n` +
        '  - alerts.receivers[0].mattermost[0] (line 6): missing required key "webhookUrl"\n' +
        '  - alerts.receivers[0].mattermost[0].url (line 6): unknown key (not allowed here; check the spelling)',
    );
  });
});
