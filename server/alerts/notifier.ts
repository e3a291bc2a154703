/**
 * The Notifier seam. One module per channel exports one descriptor (`defineNotifier`): its channel name, the
 * schema of one target (an entry of `receivers[].<channel>` in the config), the target fields that hold
 * secrets, a label for the admin page, and one `send` for every kind of notification (firing, resolved,
 * reminder, escalation, digest). server/alerts/notifiers/index.ts registers them all; the channel list, the
 * receiver schema, the config check and the admin page are derived from that registry, so adding a channel
 * is one file and one registry line (docs/alerts.md, "Adding a channel").
 *
 * Contract: `send` throws NotifyError when the message did not get through; the queue retries it with
 * backoff unless the error is permanent (a 4xx that no retry can fix). Any other throw is retried too.
 * The label is the one piece of Vietnamese kept in code rather than an i18n catalogue: a channel's name
 * travels with its module, so adding a channel does not touch the catalogues.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Static, TSchema } from 'typebox';
import { openToOthers } from '../../common/private-file.js';
import type { SecretRef, SmtpConfig } from './config-parts.js';
import type { NotificationPayload, RenderedMessage } from './message.js';

export interface NotifyContext {
  signal: AbortSignal;
  /** The secret a config entry refers to (file or env var); throws NotifyError if it cannot be read. */
  secret(ref: SecretRef | undefined, what: string): string | undefined;
  smtp: SmtpConfig | undefined;
}

/** The parts of the `alerts:` section outside the receivers that a channel may depend on. */
export interface ChannelSettings {
  smtp?: SmtpConfig;
}

/** Keys of a target whose value is a secret reference (`{ file }` or `{ env }`). */
export type SecretField<T> = {
  [K in keyof T]-?: [NonNullable<T[K]>] extends [SecretRef] ? K : never;
}[keyof T] &
  string;

export interface Notifier<S extends TSchema = TSchema, C extends string = string> {
  /** The key receivers list this channel's targets under; also the `channel` of queued rows and metrics. */
  readonly channel: C;
  /** The channel's name on the admin page, Vietnamese first. */
  readonly label: { readonly vi: string; readonly en: string };
  /** One target of `receivers[].<channel>`: strict (unknown keys are config errors), with its defaults. */
  readonly targetSchema: S;
  /** At most this many targets per receiver; 20 when not given. */
  readonly maxTargets?: number;
  /**
   * Target fields holding a secret reference. Their files are resolved against the config file's folder at
   * load; the values are read at each send (`ctx.secret`) and never shown.
   */
  readonly secretFields: ReadonlyArray<SecretField<Static<S>>>;
  /** What the channel needs elsewhere in `alerts:` (e-mail needs `smtp`): the problem, or undefined. */
  requires?(settings: ChannelSettings): string | undefined;
  send(message: RenderedMessage, payload: NotificationPayload, target: Static<S>, ctx: NotifyContext): Promise<void>;
}

/** Helper so each notifier module keeps its target type inferred from its schema, and its channel literal. */
export function defineNotifier<S extends TSchema, C extends string>(notifier: Notifier<S, C>): Notifier<S, C> {
  return notifier;
}

/** Targets per receiver when a notifier does not say. */
export const DEFAULT_MAX_TARGETS = 20;

export class NotifyError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'NotifyError';
  }
}

/** A chat message within a channel's length limit: subject, blank line, text, cut with an ellipsis. */
export function chatText(message: RenderedMessage, maxChars: number): string {
  const full = `${message.subject}\n\n${message.text}`;
  return full.length > maxChars ? `${full.slice(0, maxChars - 1)}…` : full;
}

/** The secret a channel cannot work without. */
export function requiredSecret(ctx: NotifyContext, ref: SecretRef, what: string): string {
  const value = ctx.secret(ref, what);
  if (!value) throw new NotifyError(`${what}: not configured`, true);
  return value;
}

/** Reads a secret from its file (owner-only, like the agent token) or environment variable. */
export function readSecret(
  ref: SecretRef | undefined,
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!ref) return undefined;
  if (ref.env) {
    const value = env[ref.env]?.trim();
    if (!value) throw new NotifyError(`${what}: environment variable ${ref.env} is not set`, true);
    return value;
  }
  if (ref.file) {
    let mode: number;
    try {
      mode = statSync(ref.file).mode;
    } catch (err) {
      throw new NotifyError(`${what}: cannot read ${ref.file}: ${(err as Error).message}`, true);
    }
    const loose = openToOthers(mode);
    if (loose !== undefined)
      throw new NotifyError(
        `${what}: ${ref.file} is readable by others (mode ${loose.toString(8)}); chmod 600 it`,
        true,
      );
    return readFileSync(ref.file, 'utf8').trim();
  }
  return undefined;
}

/** POSTs JSON (or a form) and fails with the status and the start of the answer on anything but 2xx. */
export async function postJson(
  url: string,
  body: unknown,
  opts: { signal: AbortSignal; headers?: Record<string, string>; what: string; raw?: string },
): Promise<string> {
  let res: Response;
  const text = opts.raw ?? JSON.stringify(body);
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...opts.headers },
      body: text,
      signal: opts.signal,
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new NotifyError(
      `${opts.what}: ${cause?.code ?? ''} ${cause?.message ?? (err as Error).message}`.replace(/\s+/g, ' ').trim(),
    );
  }
  const answer = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return answer;
  // 429 and 5xx may pass on retry; other 4xx mean the request itself is wrong.
  const permanent = res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 408;
  throw new NotifyError(`${opts.what}: HTTP ${res.status} ${answer.slice(0, 300)}`, permanent);
}
