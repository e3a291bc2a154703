/** Telegram: sendMessage of the bot API to a chat (a group of district IT staff, or one person). */
import Type, { type Static } from 'typebox';
import { Secret } from '../config-parts.js';
import { chatText, defineNotifier, postJson, requiredSecret } from '../notifier.js';

const TelegramTarget = Type.Object(
  {
    botToken: Secret,
    chatId: Type.String({ pattern: '^-?[0-9]+$|^@[A-Za-z0-9_]{5,}$' }),
    apiUrl: Type.String({ pattern: '^https?://', default: 'https://api.telegram.org' }),
  },
  { additionalProperties: false },
);
export type TelegramTarget = Static<typeof TelegramTarget>;

/** Telegram's limit for one message. */
const MAX_CHARS = 4096;

export const telegram = defineNotifier({
  channel: 'telegram',
  label: { vi: 'Telegram', en: 'Telegram' },
  targetSchema: TelegramTarget,
  secretFields: ['botToken'],
  async send(message, _payload, target, ctx) {
    const token = requiredSecret(ctx, target.botToken, 'telegram bot token');
    // The token is part of the URL: keep it out of error messages.
    await postJson(
      `${target.apiUrl.replace(/\/+$/, '')}/bot${token}/sendMessage`,
      { chat_id: target.chatId, text: chatText(message, MAX_CHARS), disable_web_page_preview: true },
      {
        signal: ctx.signal,
        what: `telegram chat ${target.chatId}`,
      },
    );
  },
});
