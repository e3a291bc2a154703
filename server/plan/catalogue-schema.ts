/**
 * The shape of the service catalogue (a YAML file, server/plan/catalogue.ts loads it): services with their
 * endpoints, the services every commune gets, and per-commune entries with selections and overrides. The types
 * live apart from loading and plan building so that both read them without importing each other.
 *
 * An endpoint is a target exactly as in the agent config (protocol/plan.ts's TargetCommon); its kind-specific
 * keys are checked with the agent's rules when the catalogue's plans are checked (plan-builder.ts).
 */
import Type, { type Static } from 'typebox';
import { TargetCommon } from '../../protocol/plan.js';
import { COMMUNE_PATTERN, NAME_PATTERN, SERVICE_PATTERN } from '../../protocol/wire.js';

/**
 * Floor of every interval in a plan. Every commune probes the same national systems: 3,321 agents at 60 s
 * is already ~55 requests/s to one site. Faster checks of local things belong in the commune's own file.
 */
export const MIN_INTERVAL_SEC = 60;

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
