/**
 * The agent's YAML config: which commune it speaks for, where the server is, how it buffers, and what it
 * probes. Strict: an unknown key is an error (a typo must not silently disable a check).
 *
 * Targets are checked as a plan's are (resolveTargets in agent/probes/schemas.ts: the common fields, then each
 * kind's own fields), so adding a probe never touches this file.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import { COMMUNE_PATTERN } from '../protocol/wire.js';
import { PathConfigSchema, TargetCommon } from '../protocol/plan.js';
import { openToOthers } from '../common/private-file.js';
import { checkConfig, ConfigError, LogLevel, readYamlConfig, throwIfProblems } from '../common/config-file.js';
import { resolveTargets, type TargetConfig } from './probes/schemas.js';

const strict = { additionalProperties: false } as const;

export const AgentConfigSchema = Type.Object(
  {
    commune: Type.String({ pattern: COMMUNE_PATTERN, description: 'commune code this agent reports for' }),
    server: Type.Object(
      {
        url: Type.String({ pattern: '^https?://', description: 'base URL of the central server' }),
        /** File holding the agent token (must not be readable by group/others). Else env COMMUNEWATCH_AGENT_TOKEN. */
        tokenFile: Type.Optional(Type.String({ minLength: 1 })),
        timeoutMs: Type.Integer({ minimum: 1000, maximum: 300_000, default: 15_000 }),
      },
      strict,
    ),
    dataDir: Type.Optional(
      Type.String({ minLength: 1, description: 'outbox location; default: agent-data next to the config file' }),
    ),
    push: Type.Object(
      {
        batchSize: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
        minBackoffSec: Type.Number({ minimum: 0.1, maximum: 60, default: 1 }),
        maxBackoffSec: Type.Number({ minimum: 1, maximum: 3600, default: 300 }),
        idleSec: Type.Number({ minimum: 0.1, maximum: 3600, default: 5 }),
        lingerMs: Type.Integer({
          minimum: 0,
          maximum: 60_000,
          default: 2000,
          description: 'wait for more results before sending a batch',
        }),
      },
      { ...strict, default: {} },
    ),
    outbox: Type.Object(
      {
        maxRows: Type.Integer({ minimum: 100, maximum: 50_000_000, default: 2_000_000 }),
        maxAgeDays: Type.Number({ minimum: 1, maximum: 365, default: 30 }),
      },
      { ...strict, default: {} },
    ),
    defaults: Type.Object(
      {
        intervalSec: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
        timeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
        retryIntervalSec: Type.Integer({
          minimum: 1,
          maximum: 86_400,
          default: 15,
          description: 'after a failure, confirm it with up to 2 rounds this far apart',
        }),
      },
      { ...strict, default: {} },
    ),
    log: Type.Object({ level: LogLevel }, { ...strict, default: {} }),
    path: PathConfigSchema,
    system: Type.Object(
      {
        healthIntervalSec: Type.Integer({
          minimum: 0,
          maximum: 86_400,
          default: 300,
          description: 'PC health sample interval; 0 disables',
        }),
        inventoryIntervalHours: Type.Number({
          minimum: 0,
          maximum: 720,
          default: 24,
          description: 'equipment inventory interval; 0 disables',
        }),
      },
      { ...strict, default: {} },
    ),
    statusPage: Type.Object(
      {
        enabled: Type.Boolean({
          default: false,
          description: 'serve the commune status page (off by default: PCs are often shared)',
        }),
        host: Type.String({
          minLength: 1,
          default: '127.0.0.1',
          description: 'listen address; keep 127.0.0.1 unless the LAN should see it',
        }),
        port: Type.Integer({ minimum: 1, maximum: 65535, default: 8765 }),
      },
      { ...strict, default: {} },
    ),
    /** Fetch the probe plan from the server (server/plan, agent/remote-plan.ts); local targets then override and add. */
    plan: Type.Object(
      {
        enabled: Type.Boolean({ default: false, description: 'fetch targets from GET /api/v1/agent/config' }),
        refreshSec: Type.Integer({
          minimum: 30,
          maximum: 86_400,
          default: 300,
          description: 'seconds between plan checks (answered 304 when unchanged)',
        }),
      },
      { ...strict, default: {} },
    ),
    // At least one target unless plan.enabled: checked in loadAgentConfig, where the message can say why.
    targets: Type.Optional(Type.Array(TargetCommon, { maxItems: 1000 })),
  },
  strict,
);
type RawAgentConfig = Static<typeof AgentConfigSchema>;

export interface AgentConfig extends Omit<RawAgentConfig, 'targets' | 'dataDir'> {
  file: string;
  dataDir: string;
  targets: TargetConfig[];
}

/** Reads, validates and resolves an agent config file; throws ConfigError naming every problem. */
export function loadAgentConfig(file: string): AgentConfig {
  const parsed = readYamlConfig(file);
  const { value: raw, problems } = checkConfig(parsed, AgentConfigSchema);
  // Check each well-formed target against its probe even when other keys are wrong, so one run of
  // --check-config lists every problem in the file.
  const defaults = Value.Check(AgentConfigSchema.properties.defaults, raw.defaults)
    ? raw.defaults
    : { intervalSec: 60, timeoutMs: 10_000, retryIntervalSec: 15 };
  const { targets, problems: targetProblems } = resolveTargets(Array.isArray(raw.targets) ? raw.targets : [], defaults);
  problems.push(...targetProblems);
  if (raw.plan?.enabled !== true && !(Array.isArray(raw.targets) && raw.targets.length > 0)) {
    problems.push({
      path: 'targets',
      message:
        'at least one target is required unless plan.enabled is true (the probe plan then comes from the server)',
    });
  }
  if (raw.push?.minBackoffSec > raw.push?.maxBackoffSec) {
    problems.push({ path: 'push.minBackoffSec', message: 'must not exceed push.maxBackoffSec' });
  }
  throwIfProblems(parsed, problems);
  const { targets: _t, dataDir, ...rest } = raw;
  return { ...rest, file, dataDir: resolve(dirname(file), dataDir ?? 'agent-data'), targets };
}

export const TOKEN_ENV = 'COMMUNEWATCH_AGENT_TOKEN';

/**
 * The agent token: from `server.tokenFile` (refused if group/world-readable, like ssh keys) or the
 * COMMUNEWATCH_AGENT_TOKEN environment variable. Never from the config text, so configs can be shared.
 */
export function readAgentToken(config: AgentConfig, env: NodeJS.ProcessEnv = process.env): string {
  const file = config.server.tokenFile ? resolve(dirname(config.file), config.server.tokenFile) : undefined;
  if (file) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch (err) {
      throw new ConfigError(config.file, [
        { path: 'server.tokenFile', message: `cannot read ${file}: ${(err as Error).message}` },
      ]);
    }
    const loose = openToOthers(mode);
    if (loose !== undefined) {
      throw new ConfigError(config.file, [
        {
          path: 'server.tokenFile',
          message: `${file} is readable by other users (mode ${loose.toString(8)}); run: chmod 600 ${file}`,
        },
      ]);
    }
    const token = readFileSync(file, 'utf8').trim();
    if (token) return token;
    throw new ConfigError(config.file, [{ path: 'server.tokenFile', message: `${file} is empty` }]);
  }
  const token = env[TOKEN_ENV]?.trim();
  if (token) return token;
  throw new ConfigError(config.file, [
    {
      path: 'server.tokenFile',
      message: `no agent token: set server.tokenFile or the ${TOKEN_ENV} environment variable`,
    },
  ]);
}
