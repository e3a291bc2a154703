/**
 * The only registry of notification channels. Everything else is derived from it: the `Channel` type, the
 * receiver schema of the config (alert-config.ts: each channel an optional list of its targets), the config
 * check and secret-file handling (alert-config-check.ts), delivery (alerting.ts) and the admin page. Adding
 * a channel is its module and one entry here; the order here is the order receivers, messages and the
 * admin page list channels in.
 */
import type { Notifier } from '../notifier.js';
import { alertmanager } from './alertmanager.js';
import { email } from './email.js';
import { mattermost } from './mattermost.js';
import { telegram } from './telegram.js';
import { webhook } from './webhook.js';
import { zalo } from './zalo.js';

// `Notifier<any>`: each entry keeps its own target type; Notifier<TSchema> would reject their narrower send().
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyNotifier = Notifier<any>;

/** Every notifier, keyed by its channel name; one per line, so a new channel is a one-line change here. */
export const notifiers = {
  email,
  webhook,
  telegram,
  zalo,
  alertmanager,
  mattermost,
} satisfies Record<string, AnyNotifier>;

/** A registered channel name. */
export type Channel = keyof typeof notifiers;

/** Registered channel names, in registry order. A key that is not its notifier's `channel` fails to compile here. */
export const CHANNELS = channelsOf(notifiers);

function channelsOf<R extends { [C in keyof R]: { readonly channel: C } }>(registry: R): Array<keyof R & string> {
  return Object.keys(registry) as Array<keyof R & string>;
}

/**
 * Whether a stored channel name is still registered. The store keeps channel names as plain strings (it
 * must not import this registry), so a row queued before a channel was removed is narrowed here.
 */
export function isChannel(name: string): name is Channel {
  return Object.hasOwn(notifiers, name);
}

/**
 * The notifier of `channel`. Its `send` expects a target already checked against `targetSchema` (the
 * config is validated once at load), hence the erased target type here.
 */
export function getNotifier(channel: Channel): Notifier {
  return notifiers[channel] as unknown as Notifier;
}
