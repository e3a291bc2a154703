/** The only place a channel is registered; the compiler catches one missing from the Channel type. */
import type { Channel } from '../../store/sqlite-alerts.js';
import type { Notifier } from '../notifier.js';
import { alertmanager } from './alertmanager.js';
import { email } from './email.js';
import { telegram } from './telegram.js';
import { webhook } from './webhook.js';
import { zalo } from './zalo.js';

// biome-ignore lint/suspicious/noExplicitAny: each notifier checks its own target type
export const notifiers = { email, webhook, telegram, zalo, alertmanager } satisfies Record<Channel, Notifier<any>>;
