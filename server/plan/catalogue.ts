/**
 * The service catalogue: the services every commune's agent probes, defined once by the province (or
 * whoever runs the server), with per-commune selections and overrides. Agents fetch the plan built from it
 * for their commune (plan-builder.ts, routes.ts).
 *
 * Strict like the agent config, and checked in depth when loaded: every plan the catalogue can produce
 * (the plan for communes without an entry, and each entry's) is checked with the agent's own rules
 * (agent/probe-plan.ts), each problem located at the line of the catalogue that causes it. A catalogue that
 * loads therefore never sends an agent a plan that agent would reject.
 */
import Type, { type Static } from 'typebox';
import { COMMUNE_PATTERN, NAME_PATTERN, SERVICE_PATTERN } from '../../protocol/wire.js';
import { checkConfig, readYamlConfig, throwIfProblems, type ConfigProblem } from '../../common/config-file.js';
import { TargetCommon } from '../../agent/config.js';
import { checkPlanPath } from '../../agent/probe-plan.js';
import { checkCataloguePlans, MIN_INTERVAL_SEC, selectedServices } from './plan-builder.js';

const strict = { additionalProperties: false } as const;
const Id = Type.String({ pattern: NAME_PATTERN, description: 'service id, referred to by all/include/exclude' });
const Ids = Type.Array(Id, { maxItems: 500 });
const Loose = Type.Record(Type.String(), Type.Unknown());

/** A target exactly as in the agent config, except that `service` defaults to the service's class. */
const Endpoint = Type.Object(
  { ...TargetCommon.properties, service: Type.Optional(TargetCommon.properties.service) },
  // Kind-specific keys are checked against the probe's schema when the plans are checked.
  { additionalProperties: true },
);

const Service = Type.Object(
  {
    id: Id,
    service: Type.String({
      pattern: SERVICE_PATTERN,
      description: 'service class: portal, one-stop-shop, civil-status, e-signing, payment, …',
    }),
    name: Type.String({ minLength: 1, maxLength: 200, description: 'display name' }),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'who runs it, whom to call' })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    endpoints: Type.Array(Endpoint, { minItems: 1, maxItems: 50 }),
  },
  strict,
);

const CommuneEntry = Type.Object(
  {
    // A list, not a map keyed by code: an unquoted YAML key 00123 silently becomes the number 123.
    codes: Type.Array(Type.String({ pattern: COMMUNE_PATTERN }), {
      minItems: 1,
      maxItems: 5000,
      description: 'commune codes (quoted) sharing this entry',
    }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    include: Type.Optional(Ids),
    exclude: Type.Optional(Ids),
    overrides: Type.Optional(
      Type.Record(Type.String(), Loose, { description: 'endpoint name → keys to change (null removes a key)' }),
    ),
    path: Type.Optional(Loose),
  },
  strict,
);

export const CatalogueSchema = Type.Object(
  {
    defaults: Type.Object(
      {
        intervalSec: Type.Integer({ minimum: MIN_INTERVAL_SEC, maximum: 86_400, default: 300 }),
        timeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 15_000 }),
      },
      { ...strict, default: {} },
    ),
    path: Type.Optional(Loose),
    services: Type.Array(Service, { minItems: 1, maxItems: 500 }),
    all: Type.Array(Id, {
      maxItems: 500,
      default: [],
      description: 'services every commune gets unless its entry excludes them',
    }),
    communes: Type.Array(CommuneEntry, { maxItems: 10_000, default: [] }),
  },
  strict,
);
export type CatalogueData = Static<typeof CatalogueSchema>;
export type CommuneEntry = Static<typeof CommuneEntry>;
export interface Catalogue extends CatalogueData {
  file: string;
}

/** Reads and checks a catalogue; throws ConfigError naming file, key path and line of every problem. */
export function loadCatalogue(file: string): Catalogue {
  const parsed = readYamlConfig(file);
  const { value, problems } = checkConfig(parsed, CatalogueSchema);
  // Cross-references and plans are checked only on a well-formed file: their checks assume its shape.
  if (problems.length === 0) problems.push(...checkReferences(value));
  if (problems.length === 0) problems.push(...checkCataloguePlans(value));
  throwIfProblems(parsed, problems);
  return { ...value, file };
}

function checkReferences(cat: CatalogueData): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const serviceAt = new Map<string, number>();
  const endpointAt = new Map<string, string>();
  cat.services.forEach((s, i) => {
    const other = serviceAt.get(s.id);
    if (other !== undefined)
      problems.push({ path: `services[${i}].id`, message: `duplicate service id "${s.id}" (also services[${other}])` });
    else serviceAt.set(s.id, i);
    s.endpoints.forEach((e, j) => {
      const where = endpointAt.get(e.name);
      // Endpoint names become target names, which an agent needs unique; unique across the catalogue keeps every plan valid.
      if (where)
        problems.push({
          path: `services[${i}].endpoints[${j}].name`,
          message: `duplicate endpoint name "${e.name}" (also ${where})`,
        });
      else endpointAt.set(e.name, `services[${i}].endpoints[${j}]`);
    });
  });
  const known = (ids: readonly string[] | undefined, at: string) =>
    ids?.forEach((id, k) => {
      if (!serviceAt.has(id)) problems.push({ path: `${at}[${k}]`, message: `no service with id "${id}"` });
    });
  known(cat.all, 'all');
  problems.push(...checkPlanPath(cat.path, 'path').problems);
  const entryOf = new Map<string, number>();
  cat.communes.forEach((entry, i) => {
    const at = `communes[${i}]`;
    entry.codes.forEach((code, k) => {
      const other = entryOf.get(code);
      if (other !== undefined)
        problems.push({
          path: `${at}.codes[${k}]`,
          message: `commune ${code} already has an entry (communes[${other}])`,
        });
      else entryOf.set(code, i);
    });
    known(entry.include, `${at}.include`);
    known(entry.exclude, `${at}.exclude`);
    const selected = selectedServices(cat, entry);
    for (const [name, override] of Object.entries(entry.overrides ?? {})) {
      const owner = cat.services.find((s) => s.endpoints.some((e) => e.name === name));
      if (!owner)
        problems.push({ path: `${at}.overrides.${name}`, message: `no endpoint named "${name}" in the catalogue` });
      else if (!selected.has(owner.id))
        problems.push({
          path: `${at}.overrides.${name}`,
          message: `endpoint "${name}" is not in this entry's plan (service "${owner.id}" is not selected)`,
        });
      if ('name' in override)
        problems.push({
          path: `${at}.overrides.${name}.name`,
          message: 'an override cannot rename an endpoint (the name is how results are stored)',
        });
    }
    // The entry's path is laid over the catalogue's; problems are reported where the entry sets the key.
    const { problems: pathProblems } = checkPlanPath({ ...cat.path, ...entry.path }, 'path');
    for (const p of pathProblems) {
      const key = /^path\.([^.[]+)/.exec(p.path)?.[1];
      if (key !== undefined && entry.path && key in entry.path) problems.push({ ...p, path: `${at}.${p.path}` });
    }
  });
  return problems;
}
