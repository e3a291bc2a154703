/**
 * Zalo Official Account messages (the messenger Vietnamese officials actually read): the OA's customer-
 * service message API, one request per follower. Zalo answers HTTP 200 with `{"error": <code>}`; 0 is
 * success. A user who does not follow the OA (-213) or a malformed request (-201) cannot succeed on retry;
 * an expired access token (-216, -124) can, once the OA admin refreshes it.
 */
import Type, { type Static } from 'typebox';
import { Secret } from '../config-parts.js';
import { chatText, defineNotifier, NotifyError, postJson, requiredSecret } from '../notifier.js';

const ZaloTarget = Type.Object(
  {
    /** Official Account access token (from the Zalo OA admin); refreshed by the OA owner. */
    accessToken: Secret,
    userIds: Type.Array(Type.String({ pattern: '^[0-9]{1,32}$' }), {
      minItems: 1,
      maxItems: 100,
      description: 'Zalo user ids of the followers to message',
    }),
    apiUrl: Type.String({ pattern: '^https?://', default: 'https://openapi.zalo.me' }),
  },
  { additionalProperties: false },
);
export type ZaloTarget = Static<typeof ZaloTarget>;

/** Zalo's limit for one text message. */
const MAX_CHARS = 2000;
const PERMANENT = new Set([-201, -213]);

export const zalo = defineNotifier({
  channel: 'zalo',
  label: { vi: 'Zalo', en: 'Zalo' },
  targetSchema: ZaloTarget,
  secretFields: ['accessToken'],
  async send(message, _payload, target, ctx) {
    const token = requiredSecret(ctx, target.accessToken, 'zalo access token');
    const text = chatText(message, MAX_CHARS);
    for (const userId of target.userIds) {
      const answer = await postJson(
        `${target.apiUrl.replace(/\/+$/, '')}/v3.0/oa/message/cs`,
        { recipient: { user_id: userId }, message: { text } },
        {
          signal: ctx.signal,
          headers: { access_token: token },
          what: `zalo user ${userId}`,
        },
      );
      let result: { error?: number; message?: string };
      try {
        result = JSON.parse(answer) as typeof result;
      } catch {
        throw new NotifyError(`zalo user ${userId}: answer is not JSON: ${answer.slice(0, 200)}`);
      }
      if (result.error !== 0)
        throw new NotifyError(
          `zalo user ${userId}: error ${result.error} ${result.message ?? ''}`.trim(),
          PERMANENT.has(result.error ?? 0),
        );
    }
  },
});
