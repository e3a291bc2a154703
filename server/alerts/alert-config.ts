/**
 * The `alerts:` section of the server config: receivers (who, over which channels) and a routing tree like
 * Alertmanager's (match on labels → receiver, with group_wait / group_interval / repeat_interval), plus
 * escalation and what happens outside office hours. Secrets (SMTP password, bot tokens, webhook keys) are
 * never in this file: each is read from a file named here (0600, like the agent token) or an env var.
 * A receiver's channels come from the notifier registry (notifiers/index.ts): each channel's key holds a
 * list of that notifier's targets, so a new channel needs no change here.
 */
import Type, { type Static, type TArray, type TOptional, type TSchema } from 'typebox';
import { Matchers, SmtpConfig } from './config-parts.js';
import { DEFAULT_MAX_TARGETS } from './notifier.js';
import { CHANNELS, type Channel, notifiers } from './notifiers/index.js';

// Routes and silences write label matchers; their schema lives with the other shared parts.
export { Matchers };

const strict = { additionalProperties: false } as const;

const Timing = {
  groupWaitSec: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 86_400,
      description: 'wait this long after the first alert of a group, to send it with the others',
    }),
  ),
  groupIntervalSec: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 86_400, description: 'at most one update per group this often' }),
  ),
  repeatIntervalSec: Type.Optional(
    Type.Integer({ minimum: 60, maximum: 30 * 86_400, description: 'remind while still firing' }),
  ),
  groupBy: Type.Optional(
    Type.Array(Type.String({ pattern: '^(cause|service|severity|scope|commune|province|district)$' }), { maxItems: 7 }),
  ),
  /** Outside office sessions (the commune's working calendar): page at once, or send at the next working start. */
  outsideHours: Type.Optional(Type.Union([Type.Literal('page'), Type.Literal('digest')])),
  sendResolved: Type.Optional(Type.Boolean()),
  /** Not acknowledged after this long: also notify `escalateTo`. */
  escalateAfterSec: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 86_400 })),
  escalateTo: Type.Optional(Type.String({ minLength: 1 })),
};

export interface RouteNode {
  receiver?: string;
  match?: Matchers;
  continue?: boolean;
  groupWaitSec?: number;
  groupIntervalSec?: number;
  repeatIntervalSec?: number;
  groupBy?: string[];
  outsideHours?: 'page' | 'digest';
  sendResolved?: boolean;
  escalateAfterSec?: number;
  escalateTo?: string;
  routes?: RouteNode[];
}

const Route: TSchema = Type.Cyclic(
  {
    Route: Type.Object(
      {
        receiver: Type.Optional(Type.String({ minLength: 1 })),
        match: Type.Optional(Matchers),
        continue: Type.Optional(
          Type.Boolean({ description: 'keep looking at the next sibling routes after this one matched' }),
        ),
        ...Timing,
        routes: Type.Optional(Type.Array(Type.Ref('Route'), { maxItems: 200 })),
      },
      strict,
    ),
  },
  'Route',
);

/** Each registered channel: an optional list of its targets under the channel's name. */
type ChannelLists = { [C in Channel]: TOptional<TArray<(typeof notifiers)[C]['targetSchema']>> };
const channelLists = Object.fromEntries(
  CHANNELS.map((c) => {
    const n: { targetSchema: TSchema; maxTargets?: number } = notifiers[c];
    return [c, Type.Optional(Type.Array(n.targetSchema, { maxItems: n.maxTargets ?? DEFAULT_MAX_TARGETS }))];
  }),
) as ChannelLists;

export const Receiver = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    language: Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')])),
    ...channelLists,
  },
  strict,
);
export type Receiver = Static<typeof Receiver>;

export const AlertConfigSchema = Type.Object(
  {
    /** Public URL of the server, for links in messages. */
    baseUrl: Type.String({ pattern: '^https?://', default: 'http://localhost:8080' }),
    language: Type.Union([Type.Literal('vi'), Type.Literal('en')], { default: 'vi' }),
    smtp: Type.Optional(SmtpConfig),
    receivers: Type.Array(Receiver, { maxItems: 500, default: [] }),
    /** Root of the routing tree; its settings are the defaults of every route below. */
    route: Type.Optional(Route),
    /** Retries of a failed send: exponential from minBackoffSec to maxBackoffSec, then given up after maxAttempts. */
    delivery: Type.Object(
      {
        minBackoffSec: Type.Integer({ minimum: 1, maximum: 3600, default: 10 }),
        maxBackoffSec: Type.Integer({ minimum: 1, maximum: 86_400, default: 900 }),
        maxAttempts: Type.Integer({ minimum: 1, maximum: 1000, default: 48 }),
        tickSec: Type.Integer({ minimum: 1, maximum: 300, default: 5 }),
      },
      { ...strict, default: {} },
    ),
  },
  { ...strict, default: {} },
);
// The route tree is cyclic; its static type is spelled out as RouteNode.
export type AlertConfig = Omit<Static<typeof AlertConfigSchema>, 'route'> & { route?: RouteNode };

/** Effective settings of a matched route: its own values, else its parents', else these defaults. */
export const ROUTE_DEFAULTS = {
  // Shorter than Alertmanager's 30 s: the incident engine already folds many communes into one central
  // incident and a commune's failing services into one network incident, so the wait only has to catch
  // incidents that start together. It is most of the margin in the detection goal (docs/benchmarks.md).
  groupWaitSec: 10,
  groupIntervalSec: 300,
  repeatIntervalSec: 4 * 3600,
  groupBy: ['cause', 'service'],
  outsideHours: 'page' as 'page' | 'digest',
  sendResolved: true,
};
