/** Telegram: sendMessage of the bot API to a chat (a group of district IT staff, or one person). */
import type { Notifier } from '../notifier.js';
import { chatText, postJson, requiredSecret } from '../notifier.js';

export interface TelegramTarget {
  botToken: { file?: string; env?: string };
  chatId: string;
  apiUrl: string;
}

/** Telegram's limit for one message. */
const MAX_CHARS = 4096;

export const telegram: Notifier<TelegramTarget> = {
  channel: 'telegram',
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
};
