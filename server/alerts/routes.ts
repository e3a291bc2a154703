/**
 * Silences and maintenance windows (admin writes, any key reads) and the notification queue (what was
 * sent, what is waiting for a retry and why), behind API keys.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Store } from '../store/store.js';
import { ErrorCode, HttpError } from '../errors.js';
import { principalOf, registerApiAuth, requireAdmin } from '../auth/api-auth.js';
import { partAwareValidatorCompiler } from '../api/query-validator.js';
import { errorResponses, READ_ERRORS } from '../api/schemas/common.js';
import { NotificationList, OneSilence, SilenceDeleted, SilenceList } from '../api/schemas/alerts.js';
import { Matchers } from './alert-config.js';
import { createSilence, type SilenceInput } from './silence-service.js';

const strict = { additionalProperties: false } as const;
const HHMM = '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$';

export const SilenceBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('silence'), Type.Literal('maintenance')], { default: 'silence' }),
    matchers: Matchers,
    startsAt: Type.Integer({ minimum: 0, description: 'epoch ms' }),
    endsAt: Type.Integer({ minimum: 0, description: 'epoch ms' }),
    recurring: Type.Optional(
      Type.Object(
        {
          weekdays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
            minItems: 1,
            maxItems: 7,
            uniqueItems: true,
          }),
          from: Type.String({ pattern: HHMM, description: 'local time HH:mm' }),
          to: Type.String({ pattern: HHMM, description: 'local time HH:mm' }),
        },
        strict,
      ),
    ),
    comment: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  strict,
);

export async function alertRoutes(app: FastifyInstance, opts: { store: Store; now: () => number }): Promise<void> {
  const { store, now } = opts;
  registerApiAuth(app, ['admin', 'viewer']);
  app.setValidatorCompiler(partAwareValidatorCompiler);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/silences',
    { schema: { response: { 200: SilenceList, ...errorResponses(401, 403) } } },
    async () => ({ silences: store.alerts.silences(now()) }),
  );

  api.post(
    '/api/v1/silences',
    { schema: { body: SilenceBody, response: { 201: OneSilence, ...errorResponses(...READ_ERRORS) } } },
    async (request, reply) => {
      const p = requireAdmin(request);
      const silence = createSilence(store, request.body as SilenceInput, p.name, now());
      return reply.code(201).send({ silence });
    },
  );

  api.delete(
    '/api/v1/silences/:id',
    {
      schema: {
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }, strict),
        response: { 200: SilenceDeleted, ...errorResponses(...READ_ERRORS, 404) },
      },
    },
    async (request) => {
      const p = requireAdmin(request);
      if (!store.alerts.deleteSilence(request.params.id, p.name, now()))
        throw new HttpError(404, ErrorCode.NOT_FOUND, `no active silence ${request.params.id}`);
      return { deleted: request.params.id };
    },
  );

  api.get(
    '/api/v1/notifications',
    {
      schema: {
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('dead')])),
            incident: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          strict,
        ),
        response: { 200: NotificationList, ...errorResponses(...READ_ERRORS) },
      },
    },
    async (request) => {
      principalOf(request);
      const { status, incident, limit } = request.query;
      return { notifications: store.alerts.listNotifications({ status, incidentId: incident, limit }) };
    },
  );
}
