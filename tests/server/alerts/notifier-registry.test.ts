/**
 * The notifier registry as the rest of the server relies on it: every target field holding a secret is
 * declared (so its file is resolved against the config's folder and never shown), the receiver schema has
 * exactly the registered channels, and a queued row whose channel is no longer registered is given up with
 * its reason while the rest of the queue is delivered.
 */
import { describe, expect, it } from 'vitest';
import type { TSchema } from 'typebox';
import { Receiver } from '../../../server/alerts/alert-config.js';
import { resolveSecretFiles } from '../../../server/alerts/alert-config-check.js';
import { Secret } from '../../../server/alerts/config-parts.js';
import { CHANNELS, isChannel, notifiers } from '../../../server/alerts/notifiers/index.js';
import type { AlertConfig } from '../../../server/alerts/alert-config.js';
import { alertHarness, T0 } from './harness.js';

describe('notifier registry', () => {
  it('declares every target field that holds a secret reference, and only those', () => {
    const secret = JSON.stringify(Secret);
    for (const c of CHANNELS) {
      const n = notifiers[c];
      expect(n.channel).toBe(c);
      const fields = Object.entries(n.targetSchema.properties as Record<string, TSchema>)
        .filter(([, schema]) => JSON.stringify(schema) === secret)
        .map(([key]) => key);
      expect([...n.secretFields].sort(), c).toEqual(fields.sort());
    }
  });

  it('gives receivers exactly the registered channels', () => {
    expect(Object.keys(Receiver.properties)).toEqual(['name', 'language', ...CHANNELS]);
    expect(isChannel('telegram')).toBe(true);
    expect(isChannel('toString')).toBe(false);
  });

  it('resolves the declared secret files against the config folder', () => {
    const alerts = {
      receivers: [
        {
          name: 'a',
          telegram: [{ botToken: { file: 'tg' }, chatId: '1', apiUrl: 'https://api.telegram.org' }],
          zalo: [{ accessToken: { env: 'ZALO' }, userIds: ['1'], apiUrl: 'https://openapi.zalo.me' }],
          webhook: [{ url: 'http://x', timeoutMs: 1000 }],
        },
      ],
    } as unknown as AlertConfig;
    resolveSecretFiles(alerts, '/etc/cw');
    expect(alerts.receivers[0]!.telegram![0]!.botToken).toEqual({ file: '/etc/cw/tg' });
    expect(alerts.receivers[0]!.zalo![0]!.accessToken).toEqual({ env: 'ZALO' });
  });

  it('gives up a queued row of a channel no longer registered, and still delivers the others', async () => {
    const h = await alertHarness();
    try {
      const row = { receiver: 'first', targetIndex: 0, kind: 'firing' as const, groupKey: 'g', now: T0 };
      const payload = { kind: 'firing', receiver: 'first', groupKey: 'g', generatedAt: T0, firing: [], resolved: [] };
      const gone = h.store.alerts.enqueue({ ...row, channel: 'pager', incidentIds: [], payload });
      const sent = h.store.alerts.enqueue({ ...row, channel: 'webhook', incidentIds: [], payload });
      await h.tick(T0);
      const byId = new Map(h.store.alerts.listNotifications({ limit: 10 }).map((n) => [n.id, n]));
      expect(byId.get(gone)).toMatchObject({
        status: 'dead',
        lastError: 'channel pager is not registered (any more); notification given up',
      });
      expect(byId.get(sent)?.status).toBe('sent');
      expect(h.got()).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
