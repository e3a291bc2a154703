/**
 * E-mail over SMTP with nodemailer: STARTTLS (required by default on 587/25) or TLS from the first byte
 * (465), optional auth with the password read from a secret file. Every SMTP failure is retried by the
 * queue: a refused login or a full mailbox is usually fixed by someone within the retry window.
 */
import { readFileSync } from 'node:fs';
import nodemailer, { type Transporter } from 'nodemailer';
import Type, { type Static } from 'typebox';
import type { NotifyContext } from '../notifier.js';
import { defineNotifier, NotifyError } from '../notifier.js';

const EmailTarget = Type.Object(
  { to: Type.Array(Type.String({ format: 'email' }), { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false },
);
export type EmailTarget = Static<typeof EmailTarget>;

let cached: { key: string; transport: Transporter } | undefined;

/** One e-mail as any part of the server sends it. */
export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/**
 * Sends one e-mail with the `alerts.smtp` settings: the transport the alert notifier uses, rebuilt only when
 * the settings, password or CA change. Throws NotifyError (permanent when the config itself is unusable).
 * Also used by the monthly report (server/reports).
 */
export async function sendEmail(ctx: Pick<NotifyContext, 'smtp' | 'secret'>, mail: OutgoingMail): Promise<void> {
  const smtp = ctx.smtp;
  if (!smtp) throw new NotifyError('email: no `alerts.smtp` in the server config', true);
  const pass = ctx.secret(smtp.password, 'alerts.smtp.password');
  let ca: string | undefined;
  try {
    ca = smtp.caFile ? readFileSync(smtp.caFile, 'utf8') : undefined;
  } catch (err) {
    throw new NotifyError(`email: cannot read alerts.smtp.caFile ${smtp.caFile}: ${(err as Error).message}`, true);
  }
  const key = JSON.stringify([smtp, pass, ca]);
  if (cached?.key !== key) {
    cached?.transport.close();
    cached = {
      key,
      transport: nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        requireTLS: smtp.requireTls && !smtp.secure,
        ...(smtp.user && { auth: { user: smtp.user, pass: pass ?? '' } }),
        ...(ca && { tls: { ca } }),
        connectionTimeout: smtp.timeoutMs,
        greetingTimeout: smtp.timeoutMs,
        socketTimeout: smtp.timeoutMs,
      }),
    };
  }
  try {
    await cached.transport.sendMail({
      from: smtp.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    });
  } catch (err) {
    const e = err as Error & { responseCode?: number; response?: string; code?: string };
    throw new NotifyError(
      `email to ${mail.to.join(', ')}: ${e.responseCode ? `SMTP ${e.responseCode} ` : ''}${e.response ?? e.code ?? ''} ${e.message}`
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
}

export const email = defineNotifier({
  channel: 'email',
  label: { vi: 'Thư điện tử', en: 'E-mail' },
  targetSchema: EmailTarget,
  secretFields: [],
  requires: (settings) => (settings.smtp ? undefined : 'e-mail needs an `alerts.smtp` section'),
  send: (message, _payload, target, ctx) =>
    sendEmail(ctx, { to: target.to, subject: message.subject, text: message.text, html: message.html }),
});
