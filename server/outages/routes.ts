/**
 * Incidents over HTTP, behind API keys: any role reads (a vendor key only its own service classes), an
 * admin records, corrects, deletes and acknowledges; a vendor acknowledges and replies about its own
 * services' incidents. The record (biên bản sự cố) is built in server/evidence/incident-record.ts; domain
 * logic lives in manual-incidents.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { COMMUNE_PATTERN, SERVICE_PATTERN } from '../../protocol/wire.js';
import type { Store } from '../store/store.js';
import { ErrorCode, HttpError } from '../errors.js';
import { principalOf, registerApiAuth, requireAdmin } from '../auth/api-auth.js';
import { partAwareValidatorCompiler } from '../api/query-validator.js';
import { parseQuerySpan, QueryTime } from '../api/query-time.js';
import { errorResponses, READ_ERRORS } from '../api/schemas/common.js';
import {
  IncidentDetail,
  IncidentList,
  OneIncident,
  OneIncidentRecord,
  OneReply,
  UptimeReport,
} from '../api/schemas/incidents.js';
import { INCIDENT_CAUSES, type Incident } from './incident.js';
import {
  acknowledgeIncident,
  deleteIncident,
  editIncident,
  MAX_REPLY_CHARS,
  recordIncident,
  replyToIncident,
} from './manual-incidents.js';
import { buildIncidentRecord } from '../evidence/incident-record.js';
import { uptimeReport } from './uptime-report.js';
import type { Units } from '../org/units.js';
import type { CalendarBook } from '../calendar/calendar-book.js';

const DAY = 86_400_000;

const strict = { additionalProperties: false } as const;
const Cause = Type.Union(INCIDENT_CAUSES.map((c) => Type.Literal(c)));
const Severity = Type.Union([Type.Literal('down'), Type.Literal('degraded')]);
const Epoch = (description: string) => Type.Integer({ minimum: 0, description });
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) }, strict);
const Note = Type.String({ minLength: 1, maxLength: 2000 });
/** Filters by place and service, shared by the list and uptime queries. */
const PlaceFilters = {
  commune: Type.Optional(Type.String({ pattern: COMMUNE_PATTERN })),
  service: Type.Optional(Type.String({ pattern: SERVICE_PATTERN })),
};

export interface IncidentRoutesOptions {
  store: Store;
  now: () => number;
  units: Units;
  calendars: CalendarBook;
  offsetMin: number;
}

export async function incidentRoutes(app: FastifyInstance, opts: IncidentRoutesOptions): Promise<void> {
  const { store, now } = opts;
  registerApiAuth(app, ['admin', 'viewer', 'vendor']);
  app.setValidatorCompiler(partAwareValidatorCompiler);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  /** A vendor key sees only incidents of its service classes; anything else is "not found", not "forbidden". */
  const visible = (request: Parameters<typeof principalOf>[0], inc: Incident | undefined): Incident => {
    const p = principalOf(request);
    if (
      !inc ||
      (inc.deletedAt !== null && p.role !== 'admin') ||
      (p.services && !p.services.includes(inc.service ?? ''))
    ) {
      throw new HttpError(404, ErrorCode.NOT_FOUND, 'no such incident');
    }
    return inc;
  };

  api.get(
    '/api/v1/incidents',
    {
      schema: {
        querystring: Type.Object(
          {
            from: Type.Optional(QueryTime('incidents still open at or ending after this')),
            to: Type.Optional(QueryTime('incidents started before this')),
            ...PlaceFilters,
            cause: Type.Optional(Cause),
            open: Type.Optional(Type.Boolean()),
            deleted: Type.Optional(Type.Boolean({ description: 'admin: include deleted incidents' })),
            limit: Type.Integer({ minimum: 1, maximum: 5000, default: 200 }),
          },
          strict,
        ),
        response: { 200: IncidentList, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      const { from, to } = parseQuerySpan(q, opts.offsetMin);
      const incidents = store.incidents.list({
        from,
        to,
        commune: q.commune,
        service: q.service,
        cause: q.cause,
        openOnly: q.open,
        limit: q.limit,
        includeDeleted: q.deleted === true && p.role === 'admin',
        ...(p.services && { services: p.services }),
      });
      return { incidents };
    },
  );

  api.get(
    '/api/v1/incidents/:id',
    { schema: { params: Id, response: { 200: IncidentDetail, ...errorResponses(...READ_ERRORS, 404) } } },
    async (request) => {
      const inc = visible(request, store.incidents.get(request.params.id));
      return {
        incident: inc,
        evidence: store.incidents.evidence(inc.id, 500),
        events: store.incidents.events(inc.id),
        replies: store.incidents.replies(inc.id),
      };
    },
  );

  api.get(
    '/api/v1/incidents/:id/record',
    { schema: { params: Id, response: { 200: OneIncidentRecord, ...errorResponses(...READ_ERRORS, 404) } } },
    async (request) => {
      const deps = { store, units: opts.units, now: now(), offsetMin: opts.offsetMin };
      const record = buildIncidentRecord(deps, request.params.id, principalOf(request));
      if (!record) throw new HttpError(404, ErrorCode.NOT_FOUND, 'no such incident');
      return { record };
    },
  );

  api.post(
    '/api/v1/incidents/:id/replies',
    {
      schema: {
        params: Id,
        body: Type.Object(
          {
            text: Type.String({
              minLength: 1,
              maxLength: MAX_REPLY_CHARS,
              description: 'what the vendor (or the province) answers; shown on the incident and in its record',
            }),
          },
          strict,
        ),
        response: { 201: OneReply, ...errorResponses(...READ_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      visible(request, store.incidents.get(request.params.id));
      const answer = replyToIncident(store, request.params.id, p, request.body.text, now());
      return reply.code(201).send({ reply: answer });
    },
  );

  api.post(
    '/api/v1/incidents',
    {
      schema: {
        body: Type.Object(
          {
            cause: Cause,
            severity: Type.Optional(Severity),
            service: Type.Optional(Type.String({ pattern: SERVICE_PATTERN })),
            communes: Type.Optional(
              Type.Array(Type.String({ pattern: COMMUNE_PATTERN }), { minItems: 1, maxItems: 5000 }),
            ),
            layer: Type.Optional(Type.String({ pattern: '^[a-z]{1,16}$' })),
            startedAt: Epoch('start (epoch ms)'),
            endedAt: Type.Optional(Type.Union([Epoch('end (epoch ms)'), Type.Null()])),
            note: Note,
            notify: Type.Optional(
              Type.Boolean({
                default: false,
                description: 'ongoing only: page the receivers like a detected incident',
              }),
            ),
          },
          strict,
        ),
        response: { 201: OneIncident, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request, reply) => {
      const p = requireAdmin(request);
      const incident = recordIncident(store, request.body, p.name, now());
      return reply.code(201).send({ incident });
    },
  );

  api.patch(
    '/api/v1/incidents/:id',
    {
      schema: {
        params: Id,
        body: Type.Object(
          {
            cause: Type.Optional(Cause),
            severity: Type.Optional(Severity),
            service: Type.Optional(Type.Union([Type.String({ pattern: SERVICE_PATTERN }), Type.Null()])),
            startedAt: Type.Optional(Epoch('start (epoch ms)')),
            endedAt: Type.Optional(Type.Union([Epoch('end (epoch ms)'), Type.Null()])),
            note: Type.Optional(Note),
            reason: Type.String({ minLength: 1, maxLength: 2000, description: 'why: kept in the audit trail' }),
          },
          strict,
        ),
        response: { 200: OneIncident, ...errorResponses(...READ_ERRORS, 404, 409) },
      },
    },
    async (request) => ({
      incident: editIncident(store, request.params.id, request.body, requireAdmin(request).name, now()),
    }),
  );

  api.delete(
    '/api/v1/incidents/:id',
    {
      schema: {
        params: Id,
        querystring: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, strict),
        response: { 200: OneIncident, ...errorResponses(...READ_ERRORS, 404) },
      },
    },
    async (request) => ({
      incident: deleteIncident(store, request.params.id, request.query.reason, requireAdmin(request).name, now()),
    }),
  );

  api.post(
    '/api/v1/incidents/:id/ack',
    { schema: { params: Id, response: { 200: OneIncident, ...errorResponses(...READ_ERRORS, 404) } } },
    async (request) => {
      // An admin acknowledges for the province; a vendor for itself (kept apart: see manual-incidents.ts).
      const p = principalOf(request);
      visible(request, store.incidents.get(request.params.id));
      return { incident: acknowledgeIncident(store, request.params.id, p, now()) };
    },
  );

  api.get(
    '/api/v1/uptime',
    {
      schema: {
        querystring: Type.Object(
          {
            from: Type.Optional(QueryTime('start; default 30 days before `to`')),
            to: Type.Optional(QueryTime('end (exclusive); default now')),
            ...PlaceFilters,
            working: Type.Boolean({ default: false, description: 'count office hours only (the commune calendar)' }),
          },
          strict,
        ),
        response: { 200: UptimeReport, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      const span = parseQuerySpan(q, opts.offsetMin);
      const to = span.to ?? now();
      const from = span.from ?? to - 30 * DAY;
      if (from >= to) throw new HttpError(400, ErrorCode.VALIDATION, 'querystring/from must be before to');
      if (to - from > 400 * DAY) throw new HttpError(400, ErrorCode.VALIDATION, 'span too long: at most 400 days');
      const report = uptimeReport(opts, {
        from,
        to,
        commune: q.commune,
        service: q.service,
        workingHours: q.working,
        ...(p.services && { services: p.services }),
      });
      return { from, to, workingHours: q.working, ...report };
    },
  );
}
