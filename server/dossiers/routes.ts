/**
 * POST /api/v1/dossiers (admin key): dossier records as JSON, with the same header names, checks and
 * all-or-nothing rule as a file import. A refused import answers 400 with every problem.
 *
 * GET /api/v1/dossiers/attribution (any key), as JSON, CSV or XLSX. A vendor key reads it in its scope
 * (attribution-report.ts `ReaderScope`): its services' figures, the commune network, and nothing that names
 * another vendor or service — the vendors it may see are server/evidence/vendors.ts `canSeeVendor`'s.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Store } from '../store/store.js';
import type { Units } from '../org/units.js';
import { ErrorCode, HttpError } from '../errors.js';
import { principalOf, registerApiAuth, requireAdmin } from '../auth/api-auth.js';
import { queryValidatorCompiler } from '../api/query-validator.js';
import { parseQuerySpan, QueryTime } from '../api/query-time.js';
import { errorResponses, READ_ERRORS } from '../api/schemas/common.js';
import { AttributionResponse, ImportRefused, ImportReport } from '../api/schemas/dossiers.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import { COMMUNE_PATTERN, SERVICE_PATTERN } from '../../protocol/wire.js';
import { importRows, ImportHeaderError, objectRows } from './importer.js';
import { attributeDossiers, type ReaderScope, type VendorRef } from './attribution-report.js';
import { canSeeVendor } from '../evidence/vendors.js';
import type { ApiPrincipal } from '../auth/roles.js';
import { attributionTable } from './export.js';
import { sendTable } from '../export/tabular.js';
import type { DossierConfig } from './dossier-config.js';

const DAY = 86_400_000;

/** What the dossier routes read: the store, units (import), calendars (working time) and the config. */
export interface DossierRoutesOptions {
  store: Store;
  units: Units;
  calendars: CalendarBook;
  config: DossierConfig;
  now: () => number;
  offsetMinutes: number;
}

/** Registers the import (admin) and the attribution report (any key, a vendor's scoped). */
export async function dossierRoutes(app: FastifyInstance, opts: DossierRoutesOptions): Promise<void> {
  await app.register(importRoute, opts);
  await app.register(attributionRoute, opts);
}

async function attributionRoute(app: FastifyInstance, opts: DossierRoutesOptions): Promise<void> {
  registerApiAuth(app, ['admin', 'viewer', 'vendor']);
  app.setValidatorCompiler(queryValidatorCompiler);
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/dossiers/attribution',
    {
      schema: {
        querystring: Type.Object(
          {
            from: Type.Optional(QueryTime('dossiers due from; default 30 days before `to`')),
            to: Type.Optional(QueryTime('dossiers due before (exclusive); default now')),
            commune: Type.Optional(Type.String({ pattern: COMMUNE_PATTERN })),
            procedure: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            service: Type.Optional(Type.String({ pattern: SERVICE_PATTERN })),
            verdict: Type.Optional(
              Type.Union(
                ['late', 'outage', 'partly-outage', 'not-outage', 'on-time', 'idle-online'].map((v) => Type.Literal(v)),
              ),
            ),
            limit: Type.Integer({
              minimum: 0,
              maximum: 1_000_000,
              default: 1000,
              description: 'dossiers listed (the summaries cover all)',
            }),
            format: Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')], {
              default: 'json',
              description: 'csv or xlsx: the listed dossiers as a file',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: AttributionResponse, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const q = request.query;
      const now = opts.now();
      const span = parseQuerySpan(q, opts.offsetMinutes);
      const to = span.to ?? now;
      const from = span.from ?? to - 30 * DAY;
      if (from >= to) throw new HttpError(400, ErrorCode.VALIDATION, 'querystring/from must be before to');
      if (to - from > 400 * DAY) throw new HttpError(400, ErrorCode.VALIDATION, 'span too long: at most 400 days');
      if (p.services && q.service && !p.services.includes(q.service))
        throw new HttpError(403, ErrorCode.AUTH_FORBIDDEN, `this key sees only ${p.services.join(', ')}`);
      const report = attributeDossiers(opts, {
        from,
        to,
        commune: q.commune,
        procedure: q.procedure,
        // A vendor account sees the dossiers of its services, each judged by their share of the outage.
        ...(q.service ? { service: q.service } : p.services && { services: p.services }),
        verdict: q.verdict as never,
        now,
        limit: q.limit,
        scope: readerScope(p),
      });
      if (q.format === 'json') return { from, to, now, ...report };
      const name = `ho-so-tre-han-${new Date(from + opts.offsetMinutes * 60_000).toISOString().slice(0, 10)}`;
      const charged = Boolean(q.service || p.services);
      return sendTable(reply, attributionTable(report.dossiers, opts.offsetMinutes, name, charged), q.format);
    },
  );
}

/** A vendor key's scope; undefined for admins, viewers and a vendor key that may see every service. */
function readerScope(p: ApiPrincipal): ReaderScope | undefined {
  const services = p.services;
  if (p.role !== 'vendor' || services === undefined) return undefined;
  return {
    services,
    seesVendor: (v: VendorRef) => canSeeVendor(p, v),
  };
}

async function importRoute(app: FastifyInstance, opts: DossierRoutesOptions): Promise<void> {
  registerApiAuth(app, ['admin']);
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/dossiers',
    {
      schema: {
        body: Type.Object(
          {
            source: Type.String({
              pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
              description: 'where the records come from, e.g. motcua-laocai',
            }),
            partial: Type.Boolean({ default: false }),
            records: Type.Array(
              Type.Record(
                Type.String({ maxLength: 100 }),
                Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Null()]),
              ),
              { minItems: 1, maxItems: 50_000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: ImportReport, 400: ImportRefused, ...errorResponses(401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const p = requireAdmin(request);
      const { source, partial, records } = request.body;
      let report: Awaited<ReturnType<typeof importRows>>;
      try {
        report = await importRows(objectRows(records), {
          store: opts.store,
          units: opts.units,
          offsetMinutes: opts.offsetMinutes,
          source,
          actor: p.name,
          now: opts.now,
          partial,
        });
      } catch (err) {
        if (err instanceof ImportHeaderError)
          throw new HttpError(400, ErrorCode.DOSSIER_HEADERS, `body/records: ${err.message}`);
        throw err;
      }
      if (report.status === 'refused') {
        return reply.code(400).send({
          statusCode: 400,
          code: ErrorCode.DOSSIER_ROWS,
          error: 'Bad Request',
          message:
            `${report.invalid} of ${report.rows} records have problems; ` +
            'nothing was imported (send partial: true to import the good ones)',
          report,
        });
      }
      return report;
    },
  );
}
