/**
 * What a valid target is: the fields of each probe kind, their registry, and the checks that resolve a list of
 * targets (agent/config.ts for the local file, the plan checks for a plan from the server). A contract module:
 * no runtime dependency on probe code (the `ping` package, sockets…), and the only agent module the server
 * loads (.dependency-cruiser.cjs), so the server checks its catalogue with the agent's own rules without
 * loading a probe. Each probe module takes its `targetSchema` from here (agent/probes/index.ts checks the pairs).
 * The plan's envelope, the fields common to every kind and the `path:` section are in protocol/plan.ts.
 *
 * Longer than the 250-line guide: this is the one agent file the server may import, so every kind's fields and
 * the shared checks have to live together; each section below is what its probe module used to hold.
 */
import { isAbsolute } from 'node:path';
import Type, { type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { schemaProblems, type ConfigProblem } from '../../common/config-file.js';
import { COMMON_KEYS, PathConfigSchema, TargetCommon, type PathConfig } from '../../protocol/plan.js';
import type { ProbeKind, TargetRole } from '../../protocol/wire.js';

/**
 * Host names and IP literals, as accepted by both DNS and net.connect. No leading "-": the ICMP probe hands the
 * host to the ping program as an argument, and "-f" must never become an option.
 */
export const HostField = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[A-Za-z0-9_:][A-Za-z0-9._:%-]*$',
  description: 'host name, IPv4 or IPv6 literal (no brackets)',
});

// ── icmp ──────────────────────────────────────────────────────────────────────────────────────────────

/** Echo requests per round when `count` is unset. */
export const ICMP_DEFAULT_COUNT = 5;
/** Gap between echo requests when `intervalMs` is unset. */
export const ICMP_DEFAULT_INTERVAL_MS = 1000;

/** Kind-specific fields of an `icmp` target. */
export const IcmpTarget = Type.Object(
  {
    host: HostField,
    count: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        default: ICMP_DEFAULT_COUNT,
        description: 'echo requests per round; default 5',
      }),
    ),
    intervalMs: Type.Optional(
      Type.Integer({
        minimum: 10,
        maximum: 10_000,
        default: ICMP_DEFAULT_INTERVAL_MS,
        description:
          'gap between requests (ping -i); default 1000; iputils before 20210722 refuses below 200 unless run as root',
      }),
    ),
    // Below 16 bytes iputils has no room for its timestamp and prints replies without "time=", which the
    // package does not count as replies: every request would look lost.
    packetSize: Type.Optional(
      Type.Integer({
        minimum: 16,
        maximum: 65_000,
        description: 'payload bytes (ping -s), 16-65000; default: the system ping default (56)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type IcmpTarget = Static<typeof IcmpTarget>;

// ── http ──────────────────────────────────────────────────────────────────────────────────────────────

/** Statuses an http check accepts when `expectStatus` is unset. */
export const DEFAULT_EXPECT = [{ min: 200, max: 399 }];
/** Body bytes read at most when `maxBodyBytes` is unset. */
export const DEFAULT_MAX_BODY = 1024 * 1024;

const StatusRange = Type.Object(
  {
    min: Type.Integer({ minimum: 100, maximum: 599, description: 'lowest accepted status' }),
    max: Type.Integer({ minimum: 100, maximum: 599, description: 'highest accepted status' }),
  },
  { additionalProperties: false },
);

/** Schema fields the `http` and `transaction` targets share, so both read the same in a config file. */
export const HttpFields = {
  url: Type.String({
    maxLength: 2048,
    pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+\\S*$',
    description: 'http:// or https:// URL',
  }),
  method: Type.Optional(
    Type.Enum(['GET', 'HEAD', 'POST'], { default: 'GET', description: 'request method; default GET' }),
  ),
  headers: Type.Optional(
    Type.Record(
      Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$" }),
      // Node throws on other characters (CR/LF injection); reject them at config time instead.
      Type.String({ maxLength: 8192, pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$' }),
      { additionalProperties: false, maxProperties: 32, description: 'extra request headers' },
    ),
  ),
  expectStatus: Type.Optional(
    Type.Array(Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), StatusRange]), {
      minItems: 1,
      maxItems: 32,
      default: DEFAULT_EXPECT,
      description: 'accepted statuses: integers and {min,max} ranges; default 200-399',
    }),
  ),
  keyword: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'text the body must contain' })),
  maxBodyBytes: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 16 * 1024 * 1024,
      default: DEFAULT_MAX_BODY,
      description: 'body bytes read at most; default 1 MiB',
    }),
  ),
  followRedirects: Type.Optional(
    Type.Boolean({ default: true, description: 'follow up to 10 redirects; default true' }),
  ),
  insecureSkipVerify: Type.Optional(
    Type.Boolean({ default: false, description: 'accept untrusted certificates; default false' }),
  ),
};

/** Kind-specific fields of an `http` target. */
export const HttpTarget = Type.Object(
  {
    ...HttpFields,
    body: Type.Optional(Type.String({ maxLength: 1_048_576, description: 'request body (POST)' })),
    minCertValidDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3650,
        description: 'https: fail (CW_ERR_PROBE_TLS) when the certificate chain expires within this many days',
      }),
    ),
  },
  { additionalProperties: false },
);
export type HttpTarget = Static<typeof HttpTarget>;

// ── tcp ───────────────────────────────────────────────────────────────────────────────────────────────

/** Kind-specific fields of a `tcp` target. */
export const TcpTarget = Type.Object(
  {
    host: HostField,
    port: Type.Integer({ minimum: 1, maximum: 65535, description: 'TCP port to connect to' }),
  },
  { additionalProperties: false },
);
export type TcpTarget = Static<typeof TcpTarget>;

// ── dns ───────────────────────────────────────────────────────────────────────────────────────────────

const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** The formats Resolver#setServers accepts: "ip", "ipv4:port", "[ipv6]:port", "ipv6". */
const DNS_SERVER_PATTERN =
  '^((\\d{1,3}\\.){3}\\d{1,3}(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?|[0-9A-Fa-f]*:[0-9A-Fa-f:.]+)$';

/** Kind-specific fields of a `dns` target. */
export const DnsTarget = Type.Object(
  {
    query: Type.String({
      minLength: 1,
      maxLength: 253,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: 'domain name to resolve (the target itself is named by the common `name` key)',
    }),
    recordType: Type.Optional(
      Type.Enum(DNS_RECORD_TYPES, { default: 'A', description: 'record type to ask for; default A' }),
    ),
    server: Type.Optional(
      Type.String({
        maxLength: 64,
        pattern: DNS_SERVER_PATTERN,
        description: 'resolver "ip", "ip:port" or "[v6]:port"; default: the system resolvers',
      }),
    ),
    expectAnswers: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 512 }), {
        minItems: 1,
        maxItems: 64,
        description: 'values that must all be among the answers (e.g. "203.0.113.7", MX "10 mail.example.vn")',
      }),
    ),
  },
  { additionalProperties: false },
);
export type DnsTarget = Static<typeof DnsTarget>;

// ── transaction (and the credentials source it may name) ───────────────────────────────────────────────

/** `${name}`: a letter or underscore, then letters, digits, `_`, `.` or `-`. Nothing else is touched. */
export const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_.-]{0,63})\}/g;

/** Where a target's credentials live; the secret itself never appears in the config. */
export const CredentialSource = Type.Refine(
  Type.Refine(
    Type.Object(
      {
        env: Type.Optional(
          Type.String({
            pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$',
            description: 'environment variable holding a JSON object of strings',
          }),
        ),
        file: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 4096,
            description: 'absolute path of a file (chmod 600) holding a JSON object of strings',
          }),
        ),
      },
      {
        additionalProperties: false,
        description: 'credentials source, {env: VAR} or {file: /path}; values fill ${name} placeholders',
      },
    ),
    (c) => (c.env === undefined) !== (c.file === undefined),
    () => 'set exactly one of env or file',
  ),
  // A probe does not know where the config file is, and the agent's working directory is no anchor.
  (c) => c.file === undefined || isAbsolute(c.file),
  () => 'file must be an absolute path',
);
export type CredentialSource = Static<typeof CredentialSource>;

/** `$`, then `.key` or `[index]` segments: `$.data.total`, `$.data.items[0].id`. No wildcards, filters or quotes. */
const JSON_PATH = '^\\$(\\.[A-Za-z_$][A-Za-z0-9_$-]*|\\[[0-9]{1,6}\\])*$';

const JsonPathCheck = Type.Refine(
  Type.Object(
    {
      path: Type.String({
        maxLength: 256,
        pattern: JSON_PATH,
        description: '$ then .key / [index] segments, e.g. $.data.items[0].id',
      }),
      equals: Type.Optional(
        Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean(), Type.Null()], {
          description: 'the value must be exactly this (no type coercion)',
        }),
      ),
      exists: Type.Optional(
        Type.Boolean({ default: true, description: 'true (default): the value must be present; false: absent' }),
      ),
    },
    { additionalProperties: false, description: 'a value the JSON body must (or must not) hold' },
  ),
  (c) => !(c.exists === false && c.equals !== undefined),
  () => 'equals cannot be combined with exists: false',
);

const Step = Type.Refine(
  Type.Object(
    {
      name: Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
        description: 'unique within the target; reported as failedStep',
      }),
      url: HttpFields.url,
      method: HttpFields.method,
      headers: HttpFields.headers,
      form: Type.Optional(
        Type.Record(Type.String({ pattern: '^.{1,128}$' }), Type.String({ maxLength: 8192 }), {
          maxProperties: 64,
          description: 'fields sent as application/x-www-form-urlencoded (POST)',
        }),
      ),
      json: Type.Optional(Type.Unknown({ description: 'any JSON value, sent as application/json (POST)' })),
      expectStatus: HttpFields.expectStatus,
      keyword: HttpFields.keyword,
      jsonPath: Type.Optional(JsonPathCheck),
      followRedirects: HttpFields.followRedirects,
    },
    { additionalProperties: false },
  ),
  (s) =>
    (s.form === undefined && s.json === undefined) ||
    (s.method === 'POST' && (s.form === undefined || s.json === undefined)),
  (s) =>
    s.form !== undefined && s.json !== undefined
      ? 'form and json cannot both be set'
      : 'form and json need method: POST',
);

/** Kind-specific fields of a `transaction` target. */
export const TransactionTarget = Type.Refine(
  Type.Object(
    {
      steps: Type.Refine(
        Type.Array(Step, {
          minItems: 1,
          maxItems: 20,
          description: 'requests made in order; the first failure ends the round',
        }),
        (steps) => new Set(steps.map((s) => s.name)).size === steps.length,
        () => 'step names must be unique',
      ),
      credentials: Type.Optional(CredentialSource),
      insecureSkipVerify: HttpFields.insecureSkipVerify,
      maxBodyBytes: HttpFields.maxBodyBytes,
    },
    { additionalProperties: false },
  ),
  // Caught when the config is checked rather than failing every round.
  (t) => t.credentials !== undefined || !new RegExp(PLACEHOLDER.source).test(JSON.stringify(t.steps)),
  () => 'steps use ${name} placeholders but no credentials source is set',
);
export type TransactionTarget = Static<typeof TransactionTarget>;

/** The fields of each kind, keyed by kind: the compiler catches a kind without its schema. */
export const targetSchemas = {
  icmp: IcmpTarget,
  http: HttpTarget,
  tcp: TcpTarget,
  dns: DnsTarget,
  transaction: TransactionTarget,
} satisfies Record<ProbeKind, TSchema>;

// ── resolving and checking targets ────────────────────────────────────────────────────────────────────

/** A target ready to schedule: common fields resolved, kind-specific params validated by its kind's schema. */
export interface TargetConfig {
  name: string;
  kind: ProbeKind;
  service: string;
  intervalSec: number;
  timeoutMs: number;
  /** Confirmation rounds after a failure run this far apart (when shorter than the interval). */
  retryIntervalSec: number;
  params: Record<string, unknown>;
  /** Path hop or service; targets from the config file are services, hops come from `path:`. */
  role?: TargetRole;
  latencyBudgetMs?: number;
  dependsOn?: string[];
  link?: string;
  sourceAddress?: string;
  sourceInterface?: string;
}

/**
 * Resolves targets: defaults applied, kind-specific fields validated by the kind's schema, names unique,
 * timeouts shorter than intervals. Targets whose common fields are malformed are skipped here (the
 * top-level schema check reports them), so the indexes in problems stay those of the file.
 */
export function resolveTargets(
  rawTargets: Static<typeof TargetCommon>[],
  defaults: { intervalSec: number; timeoutMs: number; retryIntervalSec?: number },
): { targets: TargetConfig[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  const targets: TargetConfig[] = [];
  rawTargets.forEach((t, i) => {
    if (!Value.Check(TargetCommon, t)) return;
    const params: Record<string, unknown> = { ...t };
    for (const k of COMMON_KEYS) delete params[k];
    const schema: TSchema = targetSchemas[t.kind];
    const withDefaults = Value.Default(schema, params) as Record<string, unknown>;
    problems.push(...schemaProblems(schema, withDefaults, `targets[${i}]`));
    if (t.name.startsWith('path-'))
      problems.push({
        path: `targets[${i}].name`,
        message: 'names starting with "path-" are reserved for the path checks',
      });
    if (seen.has(t.name))
      problems.push({
        path: `targets[${i}].name`,
        message: `duplicate target name "${t.name}" (also targets[${seen.get(t.name)}])`,
      });
    seen.set(t.name, i);
    const timeoutMs = t.timeoutMs ?? defaults.timeoutMs;
    const intervalSec = t.intervalSec ?? defaults.intervalSec;
    if (timeoutMs > intervalSec * 1000) {
      problems.push({
        path: `targets[${i}].timeoutMs`,
        message: `timeoutMs ${timeoutMs} exceeds the interval (${intervalSec} s): rounds would overlap`,
      });
    }
    targets.push({
      name: t.name,
      kind: t.kind,
      service: t.service,
      intervalSec,
      timeoutMs,
      retryIntervalSec: t.retryIntervalSec ?? defaults.retryIntervalSec ?? 15,
      params: withDefaults,
      role: 'service',
      ...(t.latencyBudgetMs !== undefined && { latencyBudgetMs: t.latencyBudgetMs }),
      ...(t.dependsOn && { dependsOn: t.dependsOn }),
      ...(t.link && { link: t.link }),
      ...(t.sourceAddress && { sourceAddress: t.sourceAddress }),
      ...(t.sourceInterface && { sourceInterface: t.sourceInterface }),
    });
    if (t.sourceAddress && t.sourceInterface) {
      problems.push({
        path: `targets[${i}].sourceInterface`,
        message: 'set sourceAddress or sourceInterface, not both',
      });
    }
  });
  // Dependencies must name targets of this agent (checked after all names are known).
  rawTargets.forEach((t, i) => {
    if (!Value.Check(TargetCommon, t)) return;
    t.dependsOn?.forEach((dep, j) => {
      if (dep === t.name)
        problems.push({ path: `targets[${i}].dependsOn[${j}]`, message: 'a target cannot depend on itself' });
      else if (!seen.has(dep))
        problems.push({ path: `targets[${i}].dependsOn[${j}]`, message: `no target named "${dep}"` });
    });
  });
  return { targets, problems };
}

/**
 * Checks plan targets exactly as the local file's are checked (TargetCommon, then resolveTargets), plus
 * one rule of its own: a remote target may not name a credentials source, because that would let
 * whoever controls the server make the agent read local secret files and send them to URLs it chooses.
 */
export function checkPlanTargets(
  raw: readonly unknown[],
  defaults: { intervalSec: number; timeoutMs: number },
): { targets: TargetConfig[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  raw.forEach((t, i) => {
    problems.push(...schemaProblems(TargetCommon, t, `targets[${i}]`));
    if (t && typeof t === 'object' && 'credentials' in t) {
      problems.push({
        path: `targets[${i}].credentials`,
        message: 'not accepted from the server: define targets that log in in the local config file',
      });
    }
  });
  const resolved = resolveTargets(raw as Static<typeof TargetCommon>[], defaults);
  return { targets: resolved.targets, problems: [...problems, ...resolved.problems] };
}

/** A plan's `path:` section with the agent's defaults applied, checked by the local file's schema. */
export function checkPlanPath(raw: unknown, prefix = 'path'): { path: PathConfig; problems: ConfigProblem[] } {
  const path = Value.Default(PathConfigSchema, Value.Clone(raw ?? {})) as PathConfig;
  return { path, problems: schemaProblems(PathConfigSchema, path, prefix) };
}
