/**
 * Mattermost (and any Slack-compatible incoming webhook: Rocket.Chat, Slack itself): the chat servers a
 * province hosts for its own staff. One POST of `{"text": …}` to the hook's URL, optionally to another
 * channel than the hook's default. The URL is the credential — whoever has it can post — so it is read like
 * a token, from a file or an environment variable, and never appears in an error message.
 */
import Type, { type Static } from 'typebox';
import { Secret } from '../config-parts.js';
import { chatText, defineNotifier, NotifyError, postJson, requiredSecret } from '../notifier.js';

const MattermostTarget = Type.Object(
  {
    /** The incoming webhook URL (Integrations → Incoming Webhooks), e.g. https://chat.laocai.gov.vn/hooks/xxx. */
    webhookUrl: Secret,
    channel: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$',
        description: "channel name (as in its URL) instead of the hook's default, when the hook allows it",
      }),
    ),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  },
  { additionalProperties: false },
);
export type MattermostTarget = Static<typeof MattermostTarget>;

/** Mattermost before 5.0 cut posts at 4000 characters and Rocket.Chat's default limit is 5000: the lower. */
const MAX_CHARS = 4000;

export const mattermost = defineNotifier({
  channel: 'mattermost',
  label: { vi: 'Mattermost / Rocket.Chat', en: 'Mattermost / Rocket.Chat' },
  targetSchema: MattermostTarget,
  secretFields: ['webhookUrl'],
  async send(message, _payload, target, ctx) {
    const url = requiredSecret(ctx, target.webhookUrl, 'mattermost webhook URL');
    if (!/^https?:\/\//.test(url)) throw new NotifyError('mattermost webhook URL: not an http(s) URL', true);
    await postJson(
      url,
      { text: chatText(message, MAX_CHARS), ...(target.channel && { channel: target.channel }) },
      {
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(target.timeoutMs)]),
        what: `mattermost ${target.channel ?? 'hook'}`,
      },
    );
  },
});
