/**
 * Response schemas of the dossier routes (server/dossiers/routes.ts): the attribution report (every
 * listed dossier with its verdict, and the summaries) and the import report.
 */
import Type from 'typebox';
import { ApiError } from '../../../protocol/wire.js';
import { EpochMs, Nullable, StringEnum } from './common.js';

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
    verdict: StringEnum(['on-time', 'outage', 'partly-outage', 'not-outage']),
    lateMs: Type.Number({ description: 'working ms from due to finish (or now); 0 when on time' }),
    outageMs: Type.Number({ description: "working ms of outage on the dossier's services while it was handled" }),
    incidentIds: Type.Array(Type.Integer()),
    idleOnline: Type.Boolean({ description: 'online dossier not handled within the threshold after receipt' }),
    open: Type.Boolean(),
    fieldName: Type.String(),
    services: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

const Summary = Type.Object(
  {
    key: Type.String(),
    dossiers: Type.Integer(),
    overdue: Type.Integer(),
    outage: Type.Integer(),
    partlyOutage: Type.Integer(),
    notOutage: Type.Integer(),
    idleOnline: Type.Integer(),
    outageShare: Nullable(Type.Number({ description: 'share of overdue dossiers with an outage verdict' })),
    outageHours: Type.Number(),
  },
  { additionalProperties: false },
);

export const AttributionReport = Type.Object(
  {
    from: EpochMs(),
    to: EpochMs(),
    now: EpochMs(),
    dossiers: Type.Array(AttributedDossier, { description: 'up to `limit` of them' }),
    byCommune: Type.Array(Summary),
    byService: Type.Array(Summary),
    byVendor: Type.Array(Summary),
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
