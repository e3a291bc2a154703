/**
 * The probe plan contract (GET /api/v1/agent/config): the document the server builds from its catalogue
 * (server/plan) and an agent runs (agent/remote-plan.ts). Its format number, its canonical JSON and the hash
 * that is both its `version` and its ETag live here, so both sides compute the same bytes and the same hash.
 *
 * A plan carries targets and a `path:` section in exactly the shape of the agent's config file, so their
 * schemas live here too: the config file (agent/config.ts), the plan checks (agent/probes/schemas.ts) and the
 * server's catalogue all read the same definitions. The fields of each probe kind are in agent/probes/schemas.ts.
 * No runtime dependency on agent or server code (protocol/ is a leaf): the server loads this without loading
 * any probe.
 */
import { createHash } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { COMMUNE_PATTERN, NAME_PATTERN, PROBE_KINDS, SERVICE_PATTERN, type ProbeKind } from './wire.js';

export const PLAN_FORMAT = 1;
/** Relative to `server.url`, like the ingest path, so a server behind a proxy sub-path works. */
export const PLAN_PATH = 'api/v1/agent/config';

/** Lenient at the top level (a newer server may add fields); targets and path are checked strictly (checkPlan). */
export const ProbePlanSchema = Type.Object({
  v: Type.Integer({ minimum: 1, description: 'plan format' }),
  version: Type.String({ minLength: 1, maxLength: 128, description: 'hash of the plan content; also its ETag' }),
  commune: Type.String({ pattern: COMMUNE_PATTERN }),
  targets: Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 1000 }),
  path: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type ProbePlan = Static<typeof ProbePlanSchema>;

/** JSON with object keys sorted at every level, so equal content always gives equal text (and hash). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The plan's `version`: a strong hash of its content, so the same plan always gets the same ETag. */
export function planVersion(content: Omit<ProbePlan, 'version'>): string {
  return createHash('sha256').update(canonicalJson(content)).digest('base64url');
}

/** Fields every target has, whatever its kind; in a config file, a plan and the server's catalogue alike. */
export const TargetCommon = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: 'unique within the agent; becomes the `target` label' }),
    kind: Type.Unsafe<ProbeKind>({ type: 'string', enum: [...PROBE_KINDS] }),
    service: Type.String({
      pattern: SERVICE_PATTERN,
      description: 'network, one-stop-shop, civil-status, e-signing, payment, portal, or custom',
    }),
    intervalSec: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 86_400,
        description: 'seconds between rounds; keep >= 60 for government sites',
      }),
    ),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
    retryIntervalSec: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 86_400,
        description: 'after a failure, confirm it with up to 2 rounds this far apart',
      }),
    ),
    latencyBudgetMs: Type.Optional(
      Type.Number({
        minimum: 1,
        maximum: 600_000,
        description: 'a success slower than this is reported with layer "slow"',
      }),
    ),
    dependsOn: Type.Optional(
      Type.Array(Type.String({ pattern: NAME_PATTERN }), {
        maxItems: 16,
        description: 'names of targets probing the upstream links this service needs',
      }),
    ),
    link: Type.Optional(
      Type.String({
        pattern: NAME_PATTERN,
        description: 'name of the network link this target is pinned to (e.g. tslcd, internet)',
      }),
    ),
    sourceAddress: Type.Optional(
      Type.Union([Type.String({ format: 'ipv4' }), Type.String({ format: 'ipv6' })], {
        description: 'send from this local address (pins the link)',
      }),
    ),
    sourceInterface: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$',
        description: 'send from the first address of this network interface (pins the link)',
      }),
    ),
  },
  // Kind-specific keys are allowed here and checked against the probe's schema afterwards.
  { additionalProperties: true },
);
/** The keys of TargetCommon: stripped from a target before its kind's schema checks the rest. */
export const COMMON_KEYS = [
  'name',
  'kind',
  'service',
  'intervalSec',
  'timeoutMs',
  'retryIntervalSec',
  'latencyBudgetMs',
  'dependsOn',
  'link',
  'sourceAddress',
  'sourceInterface',
] as const;

/** `10.0.0.1` (ICMP echo) or `10.0.0.1:443` / `[2001:db8::1]:443` (TCP connect, where ICMP is filtered). */
const HOP_PATTERN = '^(\\[[0-9A-Fa-f:.]+\\]:\\d{1,5}|[A-Za-z0-9][A-Za-z0-9.-]{0,252}(:\\d{1,5})?|[0-9A-Fa-f:.]+)$';
const Hop = (description: string) => Type.String({ pattern: HOP_PATTERN, maxLength: 260, description });

/**
 * The `path:` section (of the agent config and of a plan): the hops between the commune PC and the services,
 * probed together so that a service failure can be placed on one of them (agent/path/).
 */
export const PathConfigSchema = Type.Object(
  {
    /** `auto` detects the default gateway at start and every 10 minutes; `none` disables the LAN check. */
    gateway: Type.String({
      pattern: HOP_PATTERN.replace('^(', '^(auto|none|'),
      default: 'auto',
      description: 'LAN gateway: auto, none, or a hop',
    }),
    resolvers: Type.Optional(
      Type.Array(Type.String({ maxLength: 64, pattern: '^[0-9A-Fa-f:.\\[\\]]+$' }), {
        maxItems: 8,
        description: 'DNS servers to check; default: the system resolvers',
      }),
    ),
    /** Name the resolver check asks for; default: the host of the first HTTP service target. */
    probeName: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_.-]{1,253}$', description: 'domain name resolved by the DNS check' }),
    ),
    uplink: Type.Optional(Hop('ISP or government data network next hop, or a reference host beyond the LAN')),
    datacentre: Type.Optional(Hop('a host in the provincial data centre')),
    intervalSec: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 60,
      description: 'how often the path is checked when all is well',
    }),
    // 4 s: three echoes 200 ms apart plus ping's 2 s wait for the last reply fit without a -w deadline.
    timeoutMs: Type.Integer({ minimum: 200, maximum: 30_000, default: 4000, description: 'budget of one path check' }),
  },
  { additionalProperties: false, default: {} },
);
export type PathConfig = Static<typeof PathConfigSchema>;
