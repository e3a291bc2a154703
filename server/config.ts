/**
 * The central server's config: an optional YAML file, then command-line flags on top. Strict like the
 * agent's: unknown keys are errors.
 */
import { resolve, dirname } from 'node:path';
import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import { checkConfig, LogLevel, readYamlConfig, throwIfProblems } from '../common/config-file.js';
import { IncidentConfigSchema } from './outages/incident-config.js';
import { DossierConfigSchema, type DossierConfig } from './dossiers/dossier-config.js';
import { AlertConfigSchema, type AlertConfig } from './alerts/alert-config.js';
import { checkAlertConfig, resolveSecretFiles } from './alerts/alert-config-check.js';
import { WebConfigSchema } from './web/web-config.js';
import { checkReportsConfig, ReportsConfigSchema } from './reports/report-config.js';
import { RumConfigSchema } from './rum/rum-config.js';
import { checkVendorsConfig, mergeVendors, VendorsConfigSchema } from './evidence/vendors.js';

const strict = { additionalProperties: false } as const;

export const ServerConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '0.0.0.0' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    dataDir: Type.String({ minLength: 1, default: './data' }),
    /** Vietnam is UTC+7 with no DST; day rollups and working-day reports start at local midnight. */
    timezoneOffsetMinutes: Type.Integer({ minimum: -720, maximum: 840, default: 420 }),
    ingest: Type.Object(
      {
        bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 256 * 1024 * 1024, default: 8 * 1024 * 1024 }),
        skewThresholdSec: Type.Number({ minimum: 0, maximum: 86_400, default: 30 }),
      },
      { ...strict, default: {} },
    ),
    retention: Type.Object(
      {
        rawDays: Type.Number({ minimum: 1, maximum: 3650, default: 30 }),
        minuteDays: Type.Number({ minimum: 1, maximum: 3650, default: 14 }),
        hourDays: Type.Number({ minimum: 1, maximum: 36500, default: 730 }),
        dayDays: Type.Number({ minimum: 0, maximum: 36500, default: 0, description: '0 keeps day rollups forever' }),
        everyMinutes: Type.Number({ minimum: 1, maximum: 1440, default: 60 }),
      },
      { ...strict, default: {} },
    ),
    log: Type.Object({ level: LogLevel }, { ...strict, default: {} }),
    /** Service catalogue YAML (server/plan): enables GET /api/v1/agent/config. Relative to this file. */
    catalogue: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'path of the service catalogue that agents fetch their probe plan from',
      }),
    ),
    /** Province → (district) → commune hierarchy (server/org/units.ts). Relative to this file. */
    units: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'path of the units file: provinces, optional districts, communes and their old codes',
      }),
    ),
    incidents: IncidentConfigSchema,
    alerts: AlertConfigSchema,
    dossiers: DossierConfigSchema,
    web: WebConfigSchema,
    reports: ReportsConfigSchema,
    rum: RumConfigSchema,
    /** Who runs which services, their contacts and contracted availability (server/evidence/vendors.ts). */
    vendors: VendorsConfigSchema,
  },
  strict,
);
export type ServerConfig = Omit<Static<typeof ServerConfigSchema>, 'alerts' | 'dossiers'> & {
  alerts: AlertConfig;
  dossiers: DossierConfig;
};

export interface ServerFlags {
  config?: string;
  data?: string;
  host?: string;
  port?: number;
}

/** Config file (if any) + flags; relative dataDir resolves against the config file's folder or the cwd. */
export function loadServerConfig(flags: ServerFlags): ServerConfig {
  let config: ServerConfig;
  let base = process.cwd();
  if (flags.config) {
    const parsed = readYamlConfig(flags.config);
    const checked = checkConfig(parsed, ServerConfigSchema);
    if (checked.problems.length === 0)
      checked.problems.push(
        ...checkAlertConfig(checked.value.alerts as AlertConfig),
        ...checkReportsConfig(checked.value.reports, checked.value.alerts as AlertConfig),
        ...checkVendorsConfig(checked.value.vendors),
      );
    throwIfProblems(parsed, checked.problems);
    config = checked.value as ServerConfig;
    base = dirname(resolve(flags.config));
    resolveSecretFiles(config.alerts, base);
    // Always against the config file's folder: --data moves the data, not the catalogue.
    if (config.catalogue !== undefined) config.catalogue = resolve(base, config.catalogue);
    if (config.units !== undefined) config.units = resolve(base, config.units);
  } else {
    config = Value.Default(ServerConfigSchema, {}) as ServerConfig;
  }
  if (flags.data !== undefined) {
    config.dataDir = flags.data;
    base = process.cwd();
  }
  applyVendors(config);
  if (flags.host !== undefined) config.host = flags.host;
  if (flags.port !== undefined) config.port = flags.port;
  config.dataDir = resolve(base, config.dataDir);
  return config;
}

/**
 * Merges the deprecated `dossiers.vendors` into `vendors` (ids derived from names) and gives the dossier
 * attribution the merged list back; idempotent. Run at load; tests that build a config by hand may call it.
 */
export function applyVendors(config: Pick<ServerConfig, 'vendors' | 'dossiers'>): void {
  config.vendors = mergeVendors(config);
  config.dossiers.vendors = config.vendors.map((v) => ({ id: v.id, name: v.name, services: [...v.services] }));
}
