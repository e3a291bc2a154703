/**
 * The working-time calendar over HTTP: any key reads a year as it applies to a commune (or nationally);
 * an admin sets or removes single days and imports whole calendar files (same JSON as the YAML file).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { COMMUNE_PATTERN } from '../../protocol/wire.js';
import type { Store } from '../store/store.js';
import { ErrorCode, HttpError } from '../errors.js';
import { principalOf, registerApiAuth, requireAdmin } from '../auth/api-auth.js';
import { partAwareValidatorCompiler } from '../api/query-validator.js';
import { errorResponses, READ_ERRORS } from '../api/schemas/common.js';
import { CalendarImported, CalendarYear, DayDeleted, DaySet } from '../api/schemas/calendar.js';
import { CalendarFileSchema, CalendarScope, checkCalendar, DayRuleSchema, scopeKey } from './calendar-file.js';
import type { CalendarBook } from './calendar-book.js';

const strict = { additionalProperties: false } as const;
const DATE = '^\\d{4}-\\d{2}-\\d{2}$';

export async function calendarRoutes(
  app: FastifyInstance,
  opts: { store: Store; now: () => number; calendars: CalendarBook; offsetMin: number },
): Promise<void> {
  const { store, now, calendars } = opts;
  registerApiAuth(app, ['admin', 'viewer', 'vendor']);
  app.setValidatorCompiler(partAwareValidatorCompiler);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/calendar',
    {
      schema: {
        querystring: Type.Object(
          {
            year: Type.Integer({ minimum: 2000, maximum: 2100 }),
            commune: Type.Optional(Type.String({ pattern: COMMUNE_PATTERN })),
          },
          strict,
        ),
        response: { 200: CalendarYear, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request) => {
      principalOf(request);
      const { year, commune } = request.query;
      const cal = commune ? calendars.forCommune(commune) : calendars.national();
      const start = Date.UTC(year, 0, 1) - opts.offsetMin * 60_000;
      const end = Date.UTC(year + 1, 0, 1) - opts.offsetMin * 60_000;
      return {
        year,
        commune: commune ?? null,
        workingHours: cal.workingMs(start, end) / 3_600_000,
        days: calendars.effectiveDays(commune ?? '', { from: `${year}-01-01`, to: `${year}-12-31` }),
      };
    },
  );

  api.put(
    '/api/v1/calendar/days/:date',
    {
      schema: {
        params: Type.Object({ date: Type.String({ pattern: DATE }) }, strict),
        body: Type.Object(
          {
            scope: Type.Optional(CalendarScope),
            kind: DayRuleSchema.properties.kind,
            name: DayRuleSchema.properties.name,
            source: Type.Optional(DayRuleSchema.properties.source),
            provisional: Type.Optional(Type.Boolean()),
          },
          strict,
        ),
        response: { 200: DaySet, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request) => {
      const p = requireAdmin(request);
      const { date } = request.params;
      if (new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date)
        throw new HttpError(400, ErrorCode.VALIDATION, `params/date ${date} is not a date`);
      const { scope, ...rule } = request.body;
      if (scope?.province && scope.commune)
        throw new HttpError(400, ErrorCode.VALIDATION, 'body/scope: give a province or a commune, not both');
      store.calendar.setDay(scopeKey(scope), { date, ...rule }, p.name, now());
      return { date, scope: scopeKey(scope), ...rule };
    },
  );

  api.delete(
    '/api/v1/calendar/days/:date',
    {
      schema: {
        params: Type.Object({ date: Type.String({ pattern: DATE }) }, strict),
        querystring: Type.Object(
          {
            province: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
            commune: Type.Optional(Type.String({ pattern: COMMUNE_PATTERN })),
          },
          strict,
        ),
        response: { 200: DayDeleted, ...errorResponses(...READ_ERRORS, 404) },
      },
    },
    async (request) => {
      const p = requireAdmin(request);
      const scope = scopeKey(request.query);
      if (!store.calendar.deleteDay(scope, request.params.date, p.name, now()))
        throw new HttpError(
          404,
          ErrorCode.NOT_FOUND,
          `no rule for ${request.params.date} in ${scope || 'the national calendar'}`,
        );
      return { deleted: request.params.date, scope };
    },
  );

  api.post(
    '/api/v1/calendar/import',
    { schema: { body: CalendarFileSchema, response: { 200: CalendarImported, ...errorResponses(...READ_ERRORS) } } },
    async (request) => {
      const p = requireAdmin(request);
      const { calendar, problems } = checkCalendar(request.body);
      if (problems.length > 0)
        throw new HttpError(
          400,
          ErrorCode.VALIDATION,
          problems
            .map((x) => `body/${x.path.replace(/\./g, '/').replace(/\[(\d+)\]/g, '/$1')}: ${x.message}`)
            .join('; '),
        );
      return { scope: calendar.scope, ...store.calendar.importFile(calendar, p.name, now()) };
    },
  );
}
