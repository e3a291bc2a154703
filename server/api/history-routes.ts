/**
 * Read API over stored results: raw results (evidence, with their fault layer), rollups, and the
 * hour-of-day × weekday profile. Query strings are schema-checked; spans are bounded per resolution so
 * no request can ask for millions of rows. Any role reads; a vendor only the results of its service classes.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { COMMUNE_PATTERN, NAME_PATTERN, SERVICE_PATTERN } from '../../protocol/wire.js';
import type { Resolution, Store } from '../store/store.js';
import { ErrorCode, HttpError } from '../errors.js';
import { queryValidatorCompiler } from './query-validator.js';
import { parseQuerySpan, QueryTime } from './query-time.js';
import { errorResponses, READ_ERRORS } from './schemas/common.js';
import { HourOfDayProfile, ResultList, RollupList } from './schemas/history.js';
import { principalOf, registerApiAuth } from '../auth/api-auth.js';
import { serviceFilter } from '../auth/scope.js';

const DAY = 86_400_000;
/** Longest span one rollup request may cover, per resolution. */
const MAX_SPAN: Record<Resolution, number> = { minute: 2 * DAY, hour: 92 * DAY, day: 3660 * DAY };

const Filters = {
  commune: Type.Optional(Type.String({ pattern: COMMUNE_PATTERN })),
  target: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
};
const Span = {
  from: Type.Optional(QueryTime('start, inclusive')),
  to: Type.Optional(QueryTime('end, exclusive; default now')),
};
const strict = { additionalProperties: false } as const;

export async function historyRoutes(
  app: FastifyInstance,
  opts: { store: Store; now: () => number; timezoneOffsetMinutes: number },
): Promise<void> {
  registerApiAuth(app, ['admin', 'viewer', 'vendor']);
  app.setValidatorCompiler(queryValidatorCompiler);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const span = (q: { from?: string; to?: string }, defaultDays: number, maxMs: number) => {
    const given = parseQuerySpan(q, opts.timezoneOffsetMinutes);
    const to = given.to ?? opts.now();
    const from = given.from ?? to - defaultDays * DAY;
    if (from >= to) throw new HttpError(400, ErrorCode.VALIDATION, 'querystring/from must be before to');
    if (to - from > maxMs)
      throw new HttpError(
        400,
        ErrorCode.VALIDATION,
        `span too long: at most ${Math.round(maxMs / DAY)} days for this request`,
      );
    return { from, to };
  };

  api.get(
    '/api/v1/results',
    {
      schema: {
        querystring: Type.Object(
          { ...Filters, ...Span, limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 500 }) },
          strict,
        ),
        response: { 200: ResultList, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request) => {
      const { commune, target, limit } = request.query;
      const { from, to } = span(request.query, 1, 31 * DAY);
      const visible = serviceFilter(principalOf(request));
      return {
        from,
        to,
        results: opts.store.listResults({ commune, target, from, to, limit }).filter((r) => visible(r.service)),
      };
    },
  );

  api.get(
    '/api/v1/rollups',
    {
      schema: {
        querystring: Type.Object(
          {
            ...Filters,
            ...Span,
            resolution: Type.Union([Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')], {
              default: 'hour',
            }),
          },
          strict,
        ),
        response: { 200: RollupList, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request) => {
      const { commune, target, resolution } = request.query;
      const { from, to } = span(
        request.query,
        resolution === 'minute' ? 1 : resolution === 'hour' ? 7 : 90,
        MAX_SPAN[resolution],
      );
      const visible = serviceFilter(principalOf(request));
      return {
        resolution,
        from,
        to,
        rows: opts.store.rollups({ resolution, commune, target, from, to }).filter((r) => visible(r.service)),
      };
    },
  );

  api.get(
    '/api/v1/profile/hour-of-day',
    {
      schema: {
        querystring: Type.Object(
          {
            ...Filters,
            service: Type.Optional(Type.String({ pattern: SERVICE_PATTERN })),
            days: Type.Integer({ minimum: 1, maximum: 366, default: 30 }),
          },
          strict,
        ),
        response: { 200: HourOfDayProfile, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request) => {
      const { commune, target, service, days } = request.query;
      const p = principalOf(request);
      if (p.services && (!service || !p.services.includes(service))) {
        throw new HttpError(
          403,
          ErrorCode.AUTH_FORBIDDEN,
          `a vendor reads the profile of its own services only: add service=${p.services.join('|')}`,
        );
      }
      const to = opts.now();
      const from = to - days * DAY;
      const cells = opts.store.hourOfDayProfile({ commune, target, service, from, to }).map((c) => ({
        ...c,
        successRatio: c.count === 0 ? null : c.okCount / c.count,
        latencyAvgMs: c.latencyCount === 0 ? null : c.latencySumMs / c.latencyCount,
      }));
      return { timezoneOffsetMinutes: opts.timezoneOffsetMinutes, from, to, cells };
    },
  );
}
