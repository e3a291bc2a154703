/**
 * Response schemas of the incident and uptime routes (server/outages/routes.ts): the Incident record of
 * server/outages/incident.ts field for field, its evidence and audit events, and the uptime report.
 */
import Type from 'typebox';
import { INCIDENT_CAUSES } from '../../outages/incident.js';
import { AnyJson, EpochMs, Id, Nullable, NullableObject, StringEnum } from './common.js';

const Severity = StringEnum(['down', 'degraded']);

const DegradedFigures = Type.Object(
  {
    lossPct: Type.Optional(Type.Number({ description: 'worst ICMP loss seen, percent' })),
    rttP50Ms: Type.Optional(Type.Number()),
    rttP95Ms: Type.Optional(Type.Number()),
    baselineMs: Type.Optional(Type.Number({ description: "the commune's usual figure for this hour of day" })),
    slowestStep: Type.Optional(Type.String()),
    slowestMs: Type.Optional(Type.Number()),
  },
  { additionalProperties: false, description: 'what made a degraded incident degraded' },
);

const DownSpan = Type.Array(Nullable(Type.Integer()), {
  minItems: 2,
  maxItems: 2,
  description: '[start, end or null while still down], epoch ms',
});

export const Incident = Type.Object(
  {
    id: Id,
    scope: StringEnum(['local', 'central']),
    cause: StringEnum(INCIDENT_CAUSES),
    severity: Severity,
    service: Nullable(Type.String()),
    commune: Nullable(Type.String()),
    targetId: Nullable(Type.Integer()),
    target: Nullable(Type.String({ description: 'target name, for local incidents of one target' })),
    agentId: Nullable(Type.Integer()),
    layer: Nullable(Type.String()),
    startedAt: EpochMs(),
    endedAt: Nullable(EpochMs('epoch ms; null while open')),
    flapping: Type.Boolean(),
    figures: NullableObject(DegradedFigures),
    downSpans: NullableObject(
      Type.Array(DownSpan, {
        description: 'the spans that were down, not degraded (only these count as downtime); null on old records',
      }),
    ),
    manual: Type.Boolean(),
    notify: Type.Boolean(),
    recordedBy: Nullable(Type.String()),
    note: Nullable(Type.String()),
    mergedInto: Nullable(Type.Integer()),
    statusNote: Nullable(Type.String()),
    corrected: Type.Boolean(),
    superseded: Type.Boolean(),
    backfillUntil: Nullable(Type.Integer()),
    acknowledgedAt: Nullable(Type.Integer()),
    acknowledgedBy: Nullable(Type.String()),
    deletedAt: Nullable(Type.Integer()),
    deletedBy: Nullable(Type.String()),
    createdAt: EpochMs(),
    updatedAt: EpochMs(),
    communes: Type.Array(
      Type.Object(
        { commune: Type.String(), startedAt: EpochMs(), endedAt: Nullable(Type.Integer()) },
        { additionalProperties: false },
      ),
      { description: 'central incidents: each affected commune with its own start and end; local: the one commune' },
    ),
  },
  { additionalProperties: false },
);

const Evidence = Type.Object(
  {
    resultId: Type.String(),
    commune: Type.String(),
    target: Type.String(),
    ts: EpochMs(),
    ok: Type.Boolean(),
    layer: Nullable(Type.String()),
    errorCode: Nullable(Type.String()),
    summary: Type.String(),
  },
  { additionalProperties: false },
);

const IncidentEvent = Type.Object(
  {
    at: EpochMs(),
    kind: Type.String(),
    actor: Type.String(),
    detail: Type.Record(Type.String(), AnyJson),
  },
  { additionalProperties: false },
);

export const IncidentList = Type.Object({ incidents: Type.Array(Incident) }, { additionalProperties: false });
export const OneIncident = Type.Object({ incident: Incident }, { additionalProperties: false });
export const IncidentDetail = Type.Object(
  {
    incident: Incident,
    evidence: Type.Array(Evidence, { description: 'the results behind it, newest 500' }),
    events: Type.Array(IncidentEvent, { description: 'audit trail: detection, edits, acknowledgement' }),
  },
  { additionalProperties: false },
);

const UptimeFigures = {
  observedMs: Type.Number({ description: 'time counted (observed, minus planned), ms' }),
  plannedMs: Type.Number(),
  networkDownMs: Type.Number(),
  serviceDownMs: Type.Number({ description: "service downtime while the commune's network was up" }),
  networkUptime: Nullable(Type.Number({ description: '1 − networkDown / observed; null when nothing was observed' })),
  serviceUptime: Nullable(Type.Number({ description: '1 − serviceDown / (observed − networkDown)' })),
};

export const UptimeReport = Type.Object(
  {
    from: EpochMs(),
    to: EpochMs(),
    workingHours: Type.Boolean(),
    rows: Type.Array(
      Type.Object(
        { commune: Type.String(), service: Type.String(), ...UptimeFigures },
        { additionalProperties: false },
      ),
    ),
    total: Type.Object(UptimeFigures, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
