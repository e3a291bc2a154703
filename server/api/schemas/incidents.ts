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
    replies: Type.Array(
      Type.Object(
        {
          id: Id,
          incidentId: Id,
          at: EpochMs(),
          author: Type.String(),
          role: StringEnum(['admin', 'vendor']),
          kind: StringEnum(['ack', 'reply']),
          text: Type.String(),
        },
        { additionalProperties: false },
      ),
      { description: "the vendor's (and the province's) acknowledgements and replies" },
    ),
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

const Bilingual = Type.Object({ vi: Type.String(), en: Type.String() }, { additionalProperties: false });
const RecordSpan = Type.Object(
  { start: EpochMs(), end: Nullable(EpochMs('null while still going on')) },
  { additionalProperties: false },
);
const strictObject = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description && { description }) });

export const IncidentReply = strictObject({
  id: Id,
  incidentId: Id,
  at: EpochMs(),
  author: Type.String({ description: 'the user or API key name' }),
  role: StringEnum(['admin', 'vendor']),
  kind: StringEnum(['ack', 'reply'], { description: 'ack: "seen, we are on it"; reply: free text' }),
  text: Type.String({ description: 'empty for an acknowledgement' }),
});
export const OneReply = strictObject({ reply: IncidentReply });

const RecordCondition = strictObject({
  subject: Type.String({
    description: 'STATUS, BODY, RESPONSE_TIME, CERTIFICATE_EXPIRATION, TLS, CONNECTED, DNS, LOSS…',
  }),
  condition: Type.String({ description: 'the expectation, e.g. "== 200-399", "contains \\"Đăng nhập\\""' }),
  actual: Nullable(Type.String()),
  ok: Type.Boolean(),
});
const Ms = Type.Optional(Type.Number());
const RecordResult = strictObject({
  resultId: Type.String(),
  ts: EpochMs(),
  ok: Type.Boolean(),
  commune: Type.String(),
  target: Type.String(),
  kind: Nullable(Type.String()),
  stored: Type.Boolean({ description: 'false when the raw result is past retention (only the summary is left)' }),
  layer: Nullable(Type.String()),
  errorCode: Nullable(Type.String()),
  errorMessage: Nullable(Type.String()),
  statusCode: Nullable(Type.Integer()),
  statusLine: Nullable(Type.String()),
  url: Nullable(Type.String({ description: 'without query string or credentials' })),
  address: Nullable(Type.String()),
  latencyMs: Nullable(Type.Number()),
  phases: NullableObject(
    strictObject({
      resolveMs: Ms,
      connectMs: Ms,
      tlsMs: Ms,
      processingMs: Ms,
      transferMs: Ms,
      firstByteMs: Ms,
      totalMs: Ms,
    }),
  ),
  conditions: Type.Array(RecordCondition),
  conditionsDerived: Type.Boolean({ description: 'derived from the error (older agents), not sent by the agent' }),
  bodyPreview: Nullable(Type.String()),
  failedStep: Nullable(Type.String()),
  summary: Type.String(),
});
const Tally = strictObject({ ok: Type.Integer(), total: Type.Integer() });
const ControlRow = strictObject({
  target: Type.String(),
  kind: Type.String(),
  service: Type.String(),
  role: Nullable(Type.String()),
  group: StringEnum(['path', 'subject', 'other'], {
    description: "path: the commune's own network; subject: the failing service; other: its other services",
  }),
  checks: Type.Integer(),
  ok: Type.Integer(),
  worstLatencyMs: Nullable(Type.Number()),
  maxLossPct: Nullable(Type.Number()),
});

export const IncidentRecord = strictObject(
  {
    generatedAt: EpochMs(),
    province: Nullable(Type.String()),
    incident: strictObject({
      id: Id,
      scope: StringEnum(['local', 'central']),
      cause: StringEnum(INCIDENT_CAUSES),
      severity: Severity,
      service: Nullable(Type.String()),
      serviceName: NullableObject(Bilingual),
      layer: Nullable(Type.String()),
      target: Nullable(Type.String()),
      flapping: Type.Boolean(),
      manual: Type.Boolean(),
      recordedBy: Nullable(Type.String()),
      note: Nullable(Type.String()),
      figures: NullableObject(DegradedFigures),
      startedAt: EpochMs(),
      endedAt: Nullable(EpochMs()),
      durationMs: Type.Number(),
      downMs: Type.Number(),
      downSpans: Type.Array(RecordSpan),
      degradedSpans: Type.Array(RecordSpan, { description: 'the rest of the incident: working, badly' }),
      acknowledgedAt: Nullable(EpochMs()),
      acknowledgedBy: Nullable(Type.String()),
      mergedInto: Nullable(Type.Integer()),
      counted: Type.Boolean({ description: 'false when deleted, superseded or folded into a central incident' }),
    }),
    communes: Type.Array(
      strictObject({
        commune: Type.String(),
        name: Type.String(),
        startedAt: EpochMs(),
        endedAt: Nullable(EpochMs()),
        durationMs: Type.Number(),
      }),
    ),
    checks: Type.Array(
      strictObject({
        commune: Type.String(),
        target: Type.String(),
        kind: Nullable(Type.String()),
        url: Nullable(Type.String()),
        address: Nullable(Type.String()),
        failed: Type.Integer(),
        total: Type.Integer(),
        results: Type.Array(RecordResult),
      }),
    ),
    control: strictObject(
      {
        communes: Type.Array(
          strictObject({
            commune: Type.String(),
            name: Type.String(),
            from: EpochMs(),
            to: EpochMs(),
            clipped: Type.Boolean({ description: 'the failure lasted longer than the window compared' }),
            source: StringEnum(['results', 'minute', 'hour', 'none']),
            rows: Type.Array(ControlRow),
            path: Tally,
            subject: Tally,
            others: Tally,
            summary: Bilingual,
          }),
        ),
        omitted: Type.Integer({ description: 'communes of a central incident not compared one by one' }),
        elsewhere: strictObject({
          service: Nullable(Type.String()),
          from: EpochMs(),
          to: EpochMs(),
          communes: Type.Array(Type.String(), { description: 'other communes with the same failure overlapping it' }),
          probing: Nullable(Type.Integer()),
          summary: Bilingual,
        }),
      },
      'at the same minutes, from the same commune: its network path and other services; and other communes',
    ),
    events: Type.Array(
      strictObject({
        at: EpochMs(),
        kind: Type.String(),
        actor: Type.String(),
        actorLabel: Bilingual,
        text: Bilingual,
      }),
    ),
    replies: Type.Array(IncidentReply),
  },
  'the incident record (biên bản sự cố)',
);
export const OneIncidentRecord = strictObject({ record: IncidentRecord });
