/**
 * Response schemas of the dossier routes (server/dossiers/routes.ts): the attribution report (every
 * listed dossier with its verdict, and the summaries) and the import report.
 */
import Type from 'typebox';
import { ApiError } from '../../../protocol/wire.js';
import { EpochMs, Nullable, StringEnum } from './common.js';

const VERDICTS = ['on-time', 'outage', 'partly-outage', 'not-outage'] as const;

/** The dossier as it concerns some services (a filter's, or a vendor's): their share of its outage. */
const Charged = Type.Object(
  {
    services: Type.Array(Type.String()),
    chargedMs: Type.Number({ description: "working ms of the dossier's outage charged to these services" }),
    verdict: StringEnum(VERDICTS, {
      description: 'outage when their share covers the lateness, partly-outage when above 0, else not-outage',
    }),
  },
  { additionalProperties: false },
);

const AttributedDossier = Type.Object(
  {
    code: Type.String(),
    procedureCode: Nullable(Type.String()),
    procedureName: Nullable(Type.String()),
    field: Nullable(Type.String()),
    commune: Type.String(),
    channel: Nullable(Type.String({ enum: ['online', 'direct', 'postal'] })),
    receivedAt: EpochMs(),
    dueAt: EpochMs(),
    finishedAt: Nullable(Type.Integer()),
    firstHandledAt: Nullable(Type.Integer()),
    status: Nullable(Type.String()),
    source: Type.String({ description: 'where the record was imported from' }),
    verdict: StringEnum(VERDICTS, { description: "the dossier's own verdict, over all its services" }),
    lateMs: Type.Number({ description: 'working ms from due to finish (or now); 0 when on time' }),
    outageMs: Type.Number({ description: "working ms of outage on the dossier's services while it was handled" }),
    outageByService: Type.Record(Type.String(), Type.Number(), {
      description:
        "outageMs split by service: while the commune network ('network') was down, all to it; otherwise the " +
        "services down share each moment equally. For a vendor key, other vendors' shares are summed as 'other'",
    }),
    incidentIds: Type.Array(Type.Integer(), {
      description: "the incidents behind the verdict; for a vendor key, its services' and the commune network's",
    }),
    idleOnline: Type.Boolean({ description: 'online dossier not handled within the threshold after receipt' }),
    open: Type.Boolean(),
    fieldName: Type.String(),
    services: Type.Array(Type.String(), {
      description: "the services the dossier's field depends on; for a vendor key, only its own",
    }),
    charged: Type.Optional(Charged),
  },
  { additionalProperties: false },
);

const Summary = Type.Object(
  {
    key: Type.String(),
    vendorId: Type.Optional(Type.String({ description: "byVendor: the vendor's id (the key is its name)" })),
    dossiers: Type.Integer(),
    overdue: Type.Integer(),
    outage: Type.Integer(),
    partlyOutage: Type.Integer(),
    notOutage: Type.Integer(),
    idleOnline: Type.Integer(),
    outageShare: Nullable(Type.Number({ description: 'share of overdue dossiers with an outage verdict' })),
    outageHours: Type.Number({ description: 'per service and vendor: their charged share only' }),
  },
  { additionalProperties: false },
);

/** GET /api/v1/dossiers/attribution as JSON: the period, the listed dossiers and the summaries. */
export const AttributionReport = Type.Object(
  {
    from: EpochMs(),
    to: EpochMs(),
    now: EpochMs(),
    dossiers: Type.Array(AttributedDossier, { description: 'up to `limit` of them' }),
    byCommune: Type.Array(Summary),
    byService: Type.Array(Summary, {
      description: "charged: each dossier with the service's share of its outage; a vendor key: its own and network",
    }),
    byVendor: Type.Array(Summary, {
      description: "charged: each dossier with the vendor's services' share; a vendor key: the vendors it may see",
    }),
    total: Summary,
  },
  { additionalProperties: false },
);

/** JSON by default; `format=csv` or `format=xlsx` answer the listed dossiers as a file. */
export const AttributionResponse = {
  description: 'the report (JSON), or the listed dossiers as a CSV or XLSX file',
  content: {
    'application/json': { schema: AttributionReport },
    'text/csv': { schema: Type.String() },
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
      schema: Type.String({ format: 'binary' }),
    },
  },
};

/** What an import did (POST /api/v1/dossiers, or the CLI): counts and every problem found. */
export const ImportReport = Type.Object(
  {
    importId: Type.Integer(),
    status: StringEnum(['imported', 'refused']),
    rows: Type.Integer(),
    valid: Type.Integer(),
    invalid: Type.Integer(),
    inserted: Type.Integer(),
    updated: Type.Integer(),
    unchanged: Type.Integer(),
    problems: Type.Array(
      Type.Object(
        {
          row: Type.Integer({ description: '1-based, the header being row 1' }),
          column: Type.String(),
          value: Type.String(),
          reason: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    ignoredHeaders: Type.Array(Type.String(), { description: 'headers that map to no field' }),
  },
  { additionalProperties: false },
);

/** A refused import: the usual error body, and with CW_ERR_DOSSIER_ROWS the report listing every problem. */
export const ImportRefused = Type.Object(
  { ...ApiError.properties, report: Type.Optional(ImportReport) },
  { additionalProperties: false, description: 'refused: bad headers, or records with problems (with the report)' },
);
