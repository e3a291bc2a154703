/**
 * The agent ⇄ server wire format, shared by both sides.
 *
 * Agents run for years between upgrades, so the server must accept batches from older and newer agents:
 * objects on the wire are lenient to unknown fields (additionalProperties is left open), while every field
 * the server reads is typed and bounded. Config files, by contrast, are strict (see agent/config.ts).
 */
import Type, { type Static } from 'typebox';
import { HealthSample, InventoryDoc } from './system.js';

/** Bumped only on a breaking change; the server rejects versions it does not know with a clear 400. */
export const WIRE_VERSION = 1;

export const PROBE_KINDS = ['icmp', 'http', 'tcp', 'dns', 'transaction'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/** Service classes a target can belong to; anything else matching the pattern is a custom class. */
export const SERVICE_CLASSES = ['network', 'one-stop-shop', 'civil-status', 'e-signing', 'payment', 'portal'] as const;
export const SERVICE_PATTERN = '^[a-z][a-z0-9-]{0,39}$';
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
/** Vietnamese administrative unit codes are 5 digits today; leave room for grouping nodes and future schemes. */
export const COMMUNE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$';

const Ms = (description: string) => Type.Number({ minimum: 0, maximum: 86_400_000, description });
const EpochMs = (description: string) => Type.Integer({ minimum: 0, maximum: 8_640_000_000_000, description });

export const ProbeError = Type.Object({
  /** Stable machine code, e.g. CW_ERR_PROBE_TIMEOUT; see agent/probes/errors.ts. */
  code: Type.String({ minLength: 1, maxLength: 64 }),
  message: Type.String({ maxLength: 2000 }),
});
export type ProbeError = Static<typeof ProbeError>;

export const IcmpDetail = Type.Object({
  sent: Type.Integer({ minimum: 0, maximum: 100_000 }),
  received: Type.Integer({ minimum: 0, maximum: 100_000 }),
  lossRatio: Type.Number({ minimum: 0, maximum: 1 }),
  rttMinMs: Type.Optional(Ms('minimum round-trip time')),
  rttAvgMs: Type.Optional(Ms('mean round-trip time')),
  rttMaxMs: Type.Optional(Ms('maximum round-trip time')),
  /** Mean absolute difference between consecutive RTTs (RFC 3550 style), the "smoke" users feel on calls. */
  jitterMs: Type.Optional(Ms('jitter')),
});
export type IcmpDetail = Static<typeof IcmpDetail>;

/** Durations of each phase, blackbox_exporter style; phases that did not happen are absent. */
export const HttpPhases = Type.Object({
  resolveMs: Type.Optional(Ms('DNS resolution')),
  connectMs: Type.Optional(Ms('TCP connect')),
  tlsMs: Type.Optional(Ms('TLS handshake')),
  /** From request written to first response byte (server think time). */
  processingMs: Type.Optional(Ms('waiting for the first byte')),
  transferMs: Type.Optional(Ms('reading the body')),
  firstByteMs: Type.Optional(Ms('time from start to first byte')),
  totalMs: Type.Optional(Ms('time from start to end')),
});

/**
 * What a condition checks, Gatus style (`[STATUS] == 200-399`). Known subjects today:
 * - STATUS: the final response's status against `expectStatus`;
 * - BODY: the body read (`contains "…"` for `keyword`, `$.a.b == …` / `exists` / `absent` for `jsonPath`);
 * - RESPONSE_TIME: the headline latency against the target's `latencyBudgetMs`, a soft check: over budget the
 *   result stays ok and is marked layer `slow`;
 * - CERTIFICATE_EXPIRATION: time left on the earliest certificate of the chain against `minCertValidDays`;
 * - TLS: the certificate chain is trusted (https without `insecureSkipVerify`).
 * HEADER is reserved. The wire carries the subject as a pattern, not an enum, so an older server still accepts a
 * newer agent's subjects.
 */
export const CONDITION_SUBJECTS = [
  'STATUS',
  'BODY',
  'RESPONSE_TIME',
  'CERTIFICATE_EXPIRATION',
  'TLS',
  'HEADER',
] as const;
export type ConditionSubject = (typeof CONDITION_SUBJECTS)[number];

/**
 * One check the target's config defines and how it came out, e.g. `{ subject: 'STATUS', condition: '== 200-399',
 * actual: '503', ok: false }`, rendered `[STATUS] == 200-399 ✗ 503`. `condition` and `actual` are short,
 * language-neutral text (numbers, units `ms` and `d`, quoted configured values); `actual` words are one of
 * `found`, `not found`, `absent`, `not JSON`, `trusted`, or an OpenSSL reason such as `CERT_HAS_EXPIRED`, so a
 * reader can translate them. `actual` is absent when the check could not run because no response came (refused,
 * timeout…): then `ok` is false. Agents send conditions in ok and failed results alike (a success is proven too).
 */
export const Condition = Type.Object({
  subject: Type.String({ pattern: '^[A-Z][A-Z_]{0,31}$', description: 'see CONDITION_SUBJECTS' }),
  condition: Type.String({ maxLength: 200 }),
  actual: Type.Optional(Type.String({ maxLength: 200 })),
  ok: Type.Boolean(),
});
export type Condition = Static<typeof Condition>;

/** Conditions per result (or per transaction step); an agent stops adding past this. */
export const MAX_CONDITIONS = 16;
/** Body bytes an agent decodes for `bodyPreview`; after redaction the text stays under BODY_PREVIEW_MAX_CHARS. */
export const BODY_PREVIEW_BYTES = 512;
export const BODY_PREVIEW_MAX_CHARS = 600;

/**
 * The evidence of one request, shared by the http detail and each transaction step. All optional: agents before
 * issue 14 send none of them. Every text is bounded, so a result stays small though pushed every minute.
 */
const HttpEvidence = {
  /**
   * The URL of the final hop (after redirects), redacted: scheme, host, port and path only — never userinfo, query
   * string or fragment; long token-like path segments are masked as `***`.
   */
  url: Type.Optional(Type.String({ maxLength: 512 })),
  /**
   * Remote `ip:port` (`[v6]:port`) the final hop connected to; when the connection failed, the address it tried,
   * if known (an IP literal, or what DNS answered).
   */
  address: Type.Optional(Type.String({ maxLength: 64 })),
  /** The final response's status line as received, e.g. `HTTP/1.1 503 Service Unavailable`. */
  statusLine: Type.Optional(Type.String({ maxLength: 128 })),
  /**
   * The first ≤ 512 bytes of the final body decoded as UTF-8, control characters removed, whitespace runs as one
   * space, then redacted (common/redact.ts: secrets after password/token/secret/session/csrf/authorization keys,
   * hidden and password input values, JWTs, long hex/base64 runs, e-mail addresses, phone and ID numbers all become
   * `***`). HTTP checks send it only with a failed result; transaction steps also when the step checks the body. Absent
   * for compressed bodies.
   */
  bodyPreview: Type.Optional(Type.String({ maxLength: BODY_PREVIEW_MAX_CHARS })),
  /** Every check the config defines, with its outcome, in configuration order. */
  conditions: Type.Optional(Type.Array(Condition, { maxItems: MAX_CONDITIONS })),
};

export const HttpDetail = Type.Object({
  statusCode: Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
  phases: HttpPhases,
  contentLength: Type.Optional(Type.Integer({ minimum: 0 })),
  redirects: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  /** Earliest notAfter of the peer certificate chain, epoch ms. */
  certExpiresAt: Type.Optional(EpochMs('certificate expiry')),
  tlsVersion: Type.Optional(Type.String({ maxLength: 32 })),
  ...HttpEvidence,
});
export type HttpDetail = Static<typeof HttpDetail>;

export const TcpDetail = Type.Object({
  connectMs: Type.Optional(Ms('TCP connect')),
  address: Type.Optional(Type.String({ maxLength: 128 })),
});
export type TcpDetail = Static<typeof TcpDetail>;

export const DnsDetail = Type.Object({
  resolveMs: Type.Optional(Ms('resolution time')),
  answers: Type.Array(Type.String({ maxLength: 512 }), { maxItems: 64 }),
  server: Type.Optional(Type.String({ maxLength: 128 })),
});
export type DnsDetail = Static<typeof DnsDetail>;

/** One step of a multi-step web transaction (login page → POST → page behind login…). */
export const TransactionStep = Type.Object({
  name: Type.String({ maxLength: 64 }),
  ok: Type.Boolean(),
  statusCode: Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
  durationMs: Ms('step duration'),
  phases: Type.Optional(HttpPhases),
  error: Type.Optional(ProbeError),
  /** As in HttpDetail; every text also has the transaction's credentials masked. */
  ...HttpEvidence,
});
export type TransactionStep = Static<typeof TransactionStep>;

export const TransactionDetail = Type.Object({
  steps: Type.Array(TransactionStep, { maxItems: 32 }),
  /** Name of the first step that failed; absent when all passed. */
  failedStep: Type.Optional(Type.String({ maxLength: 64 })),
  /** Conditions on the whole transaction (RESPONSE_TIME: the sum of step durations); per-step ones are in steps. */
  conditions: Type.Optional(Type.Array(Condition, { maxItems: MAX_CONDITIONS })),
});
export type TransactionDetail = Static<typeof TransactionDetail>;

/**
 * Where a failure is, judged by the agent from the same round's path checks:
 * - lan: the commune's own gateway is unreachable
 * - uplink: the gateway answers, nothing beyond it does (ISP / government data network)
 * - dns: names fail while addresses work
 * - service: the network is fine, this service fails
 * - tls: certificate or handshake failure
 * - slow: it succeeded, above its latency budget
 */
export const FAULT_LAYERS = ['lan', 'uplink', 'dns', 'service', 'tls', 'slow'] as const;
export type FaultLayer = (typeof FAULT_LAYERS)[number];

/** What a target is for: a hop of the network path, or a service. */
export const TARGET_ROLES = ['gateway', 'resolver', 'uplink', 'datacentre', 'service'] as const;
export type TargetRole = (typeof TARGET_ROLES)[number];

/**
 * What a probe measured in one round, before the agent stamps identity on it.
 * `latencyMs` is the one headline figure the server rolls up (HTTP total, TCP connect, DNS resolve, ICMP mean RTT).
 */
export const ProbeOutcome = Type.Object({
  ok: Type.Boolean(),
  durationMs: Ms('wall time the probe ran'),
  latencyMs: Type.Optional(Ms('headline latency')),
  error: Type.Optional(ProbeError),
  icmp: Type.Optional(IcmpDetail),
  http: Type.Optional(HttpDetail),
  tcp: Type.Optional(TcpDetail),
  dns: Type.Optional(DnsDetail),
  transaction: Type.Optional(TransactionDetail),
});
export type ProbeOutcome = Static<typeof ProbeOutcome>;

export const ProbeResult = Type.Intersect([
  Type.Object({
    /** Globally unique (UUID); the server's exactly-once key. */
    id: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }),
    /** Per-agent monotonic sequence, assigned by the outbox; gaps mean results were dropped. */
    seq: Type.Integer({ minimum: 1 }),
    /** When the probe started, by the agent's clock (epoch ms). */
    ts: EpochMs('probe start, agent clock'),
    target: Type.String({ pattern: NAME_PATTERN }),
    kind: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
    service: Type.String({ pattern: SERVICE_PATTERN }),
    /** Path hop or service (absent from older agents: treated as service). */
    role: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' })),
    /** Fault layer of a failure or a slow success (see FAULT_LAYERS); absent when healthy or unknown. */
    layer: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' })),
    /** The upstream link (target name) a failure is attributed to, when the service depends on others. */
    blame: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
    /** The network link the probe was pinned to (e.g. `tslcd`, `internet`), when the commune has several. */
    link: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
  }),
  ProbeOutcome,
]);
export type ProbeResult = Static<typeof ProbeResult>;

export const AgentStatus = Type.Object({
  version: Type.Optional(Type.String({ maxLength: 64 })),
  hostname: Type.Optional(Type.String({ maxLength: 255 })),
  outboxPending: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Results the outbox discarded because of its size/age bounds, since it was created. */
  outboxDroppedTotal: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Results parked locally because the server refused their batch as malformed (HTTP 400). */
  outboxDeadLettered: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Shortest round interval of the agent's targets: results (and pushes) are due at least this often. */
  probeIntervalSec: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
});
export type AgentStatus = Static<typeof AgentStatus>;

export const MAX_RESULTS_PER_BATCH = 5000;

/** Identity every outbox record carries on the wire: a unique id (dedup) and the agent's sequence number. */
const RecordIdentity = Type.Object({
  id: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }),
  seq: Type.Integer({ minimum: 1 }),
});
export const HealthRecord = Type.Intersect([RecordIdentity, HealthSample]);
export type HealthRecord = Static<typeof HealthRecord>;
export const InventoryRecord = Type.Intersect([RecordIdentity, InventoryDoc]);
export type InventoryRecord = Static<typeof InventoryRecord>;

export const IngestBatch = Type.Object({
  v: Type.Integer({ minimum: 1, maximum: 1000 }),
  /** Stable across retries of the same batch: the server acknowledges a repeat without storing it twice. */
  batchId: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }),
  commune: Type.String({ pattern: COMMUNE_PATTERN }),
  /** Agent clock when this attempt was sent (epoch ms); with the receive time it gives the clock skew. */
  sentAt: EpochMs('send time, agent clock'),
  agent: Type.Optional(AgentStatus),
  results: Type.Array(ProbeResult, { maxItems: MAX_RESULTS_PER_BATCH }),
  /** PC health samples (every few minutes) and equipment inventories (daily), from the same outbox. */
  // Same cap as results: the outbox batches records of every type together up to push.batchSize (≤ 5000);
  // the body limit, answered 413 and split by the agent, bounds the bytes.
  health: Type.Optional(Type.Array(HealthRecord, { maxItems: MAX_RESULTS_PER_BATCH })),
  inventory: Type.Optional(Type.Array(InventoryRecord, { maxItems: MAX_RESULTS_PER_BATCH })),
});
export type IngestBatch = Static<typeof IngestBatch>;

export const IngestAck = Type.Object({
  batchId: Type.String(),
  /** Results newly stored by this request. */
  stored: Type.Integer(),
  /** Results already stored earlier (a retried batch or an overlapping re-send). */
  duplicates: Type.Integer(),
  /** True when the whole batch had been acknowledged before. */
  replay: Type.Boolean(),
  /** Server clock when the batch was received (epoch ms). */
  serverTime: Type.Integer(),
  /** receivedAt − sentAt; positive when the agent clock is behind. */
  skewMs: Type.Integer(),
  /** Whether the server shifted the result timestamps by skewMs. */
  clockCorrected: Type.Boolean(),
});
export type IngestAck = Static<typeof IngestAck>;

/** Error body of every 4xx/5xx reply. */
export const ApiError = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
});
export type ApiError = Static<typeof ApiError>;
