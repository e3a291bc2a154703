/**
 * Generic webhook: the notification as JSON, signed when a secret is set. The receiver checks
 *   X-CommuneWatch-Signature: sha256=<hex HMAC-SHA256(secret, "<X-CommuneWatch-Timestamp>.<body>")>
 * and may refuse timestamps older than a few minutes (replay). See docs/alerts.md for a verifier.
 */
import { createHmac } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { Secret } from '../config-parts.js';
import { defineNotifier, postJson } from '../notifier.js';

const WebhookTarget = Type.Object(
  {
    url: Type.String({ pattern: '^https?://' }),
    /** HMAC-SHA256 key: the body is signed in X-CommuneWatch-Signature: sha256=<hex>. */
    secret: Type.Optional(Secret),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  },
  { additionalProperties: false },
);
export type WebhookTarget = Static<typeof WebhookTarget>;

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export const webhook = defineNotifier({
  channel: 'webhook',
  label: { vi: 'Webhook', en: 'Webhook' },
  targetSchema: WebhookTarget,
  secretFields: ['secret'],
  async send(message, payload, target, ctx) {
    const body = JSON.stringify({ version: 1, ...payload, message: { subject: message.subject, text: message.text } });
    const timestamp = String(Date.now());
    const secret = ctx.secret(target.secret, `webhook ${target.url} secret`);
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(target.timeoutMs)]);
    await postJson(target.url, undefined, {
      raw: body,
      signal,
      what: `webhook ${target.url}`,
      headers: {
        'user-agent': 'CommuneWatch',
        'x-communewatch-timestamp': timestamp,
        ...(secret && { 'x-communewatch-signature': webhookSignature(secret, timestamp, body) }),
      },
    });
  },
});
