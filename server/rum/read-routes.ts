/**
 * What users' browsers saw, for IT and vendors: GET /api/v1/rum/errors (exception groups with their
 * counts by commune, browser, app version and page) and GET /api/v1/rum/fetch-failures. A vendor sees the
 * apps registered with its service classes only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Store } from '../store/store.js';
import { principalOf, registerApiAuth } from '../auth/api-auth.js';
import { partAwareValidatorCompiler } from '../api/query-validator.js';
import { errorResponses, READ_ERRORS } from '../api/schemas/common.js';
import { RumErrors, RumFetchFailures } from '../api/schemas/rum.js';

const DAY = 86_400_000;
const Query = Type.Object(
  {
    days: Type.Integer({ minimum: 1, maximum: 366, default: 7 }),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

export async function rumReadRoutes(app: FastifyInstance, opts: { store: Store; now: () => number }): Promise<void> {
  registerApiAuth(app, ['admin', 'viewer', 'vendor']);
  app.setValidatorCompiler(partAwareValidatorCompiler);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  /** undefined = every app; a vendor only apps sharing one of its service classes. */
  const appIds = (request: FastifyRequest): number[] | undefined => {
    const own = principalOf(request).services;
    if (!own) return undefined;
    return opts.store.rum
      .apps()
      .filter((a) => a.services?.some((s) => own.includes(s)))
      .map((a) => a.id);
  };

  api.get(
    '/api/v1/rum/errors',
    { schema: { querystring: Query, response: { 200: RumErrors, ...errorResponses(...READ_ERRORS) } } },
    async (request) => {
      const since = opts.now() - request.query.days * DAY;
      const groups = opts.store.rum.errorGroups({ appIds: appIds(request), since, limit: request.query.limit });
      return { since, groups: groups.map((g) => ({ ...g, affected: opts.store.rum.errorDims(g.id) })) };
    },
  );

  api.get(
    '/api/v1/rum/fetch-failures',
    { schema: { querystring: Query, response: { 200: RumFetchFailures, ...errorResponses(...READ_ERRORS) } } },
    async (request) => {
      const since = opts.now() - request.query.days * DAY;
      return {
        since,
        failures: opts.store.rum.fetchFailures({ appIds: appIds(request), since, limit: request.query.limit }),
      };
    },
  );
}
