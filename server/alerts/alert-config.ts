/**
 * The `alerts:` section of the server config: receivers (who, over which channels) and a routing tree like
 * Alertmanager's (match on labels → receiver, with group_wait / group_interval / repeat_interval), plus
 * escalation and what happens outside office hours. Secrets (SMTP password, bot tokens, webhook keys) are
 * never in this file: each is read from a file named here (0600, like the agent token) or an env var.
 */
import Type, { type Static, type TSchema } from 'typebox';

const strict = { additionalProperties: false } as const;
const Secret = Type.Object(
  {
    file: Type.Optional(
      Type.String({ minLength: 1, description: 'path of a file holding the secret (owner-only permissions)' }),
    ),
    env: Type.Optional(
      Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'environment variable holding the secret' }),
    ),
  },
  strict,
);
export type SecretRef = Static<typeof Secret>;

/** Label name → accepted values. An incident matches when, for every label named, one of its values is accepted. */
export const Matchers = Type.Record(
  Type.String({ pattern: '^(cause|service|severity|scope|commune|province|district)$' }),
  Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 5000 }),
);
export type Matchers = Static<typeof Matchers>;

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

const Email = Type.Object({ to: Type.Array(Type.String({ format: 'email' }), { minItems: 1, maxItems: 100 }) }, strict);
const Webhook = Type.Object(
  {
    url: Type.String({ pattern: '^https?://' }),
    /** HMAC-SHA256 key: the body is signed in X-CommuneWatch-Signature: sha256=<hex>. */
    secret: Type.Optional(Secret),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  },
  strict,
);
const Telegram = Type.Object(
  {
    botToken: Secret,
    chatId: Type.String({ pattern: '^-?[0-9]+$|^@[A-Za-z0-9_]{5,}$' }),
    apiUrl: Type.String({ pattern: '^https?://', default: 'https://api.telegram.org' }),
  },
  strict,
);
const Zalo = Type.Object(
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
  strict,
);
const Alertmanager = Type.Object(
  { url: Type.String({ pattern: '^https?://', description: 'base URL, e.g. http://alertmanager:9093' }) },
  strict,
);

export const Receiver = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    language: Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')])),
    email: Type.Optional(Type.Array(Email, { maxItems: 20 })),
    webhook: Type.Optional(Type.Array(Webhook, { maxItems: 20 })),
    telegram: Type.Optional(Type.Array(Telegram, { maxItems: 20 })),
    zalo: Type.Optional(Type.Array(Zalo, { maxItems: 20 })),
    alertmanager: Type.Optional(Type.Array(Alertmanager, { maxItems: 5 })),
  },
  strict,
);
export type Receiver = Static<typeof Receiver>;

export const AlertConfigSchema = Type.Object(
  {
    /** Public URL of the server, for links in messages. */
    baseUrl: Type.String({ pattern: '^https?://', default: 'http://localhost:8080' }),
    language: Type.Union([Type.Literal('vi'), Type.Literal('en')], { default: 'vi' }),
    smtp: Type.Optional(
      Type.Object(
        {
          host: Type.String({ minLength: 1 }),
          port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
          /** true: TLS from the first byte (465); false: STARTTLS when offered (587, 25). */
          secure: Type.Boolean({ default: false }),
          requireTls: Type.Boolean({
            default: true,
            description: 'refuse to send without STARTTLS on a non-secure port',
          }),
          user: Type.Optional(Type.String({ minLength: 1 })),
          password: Type.Optional(Secret),
          from: Type.String({ minLength: 3, description: 'e.g. "CommuneWatch <giamsat@laocai.gov.vn>"' }),
          caFile: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                "PEM file of the CA that signed the mail server's certificate (a provincial private CA); relative to the config file",
            }),
          ),
          timeoutMs: Type.Integer({ minimum: 1000, maximum: 120_000, default: 20_000 }),
        },
        strict,
      ),
    ),
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
