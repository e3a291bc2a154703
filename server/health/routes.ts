/** GET /healthz (the process answers) and GET /readyz (the database answers too). No credential needed. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Store } from '../store/store.js';
import { ErrorCode } from '../errors.js';
import { errorResponses } from '../api/schemas/common.js';

const Status = <S extends string>(status: S) =>
  Type.Object({ status: Type.Literal(status) }, { additionalProperties: false });

export async function healthRoutes(app: FastifyInstance, opts: { store: Store }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/healthz', { schema: { response: { 200: Status('ok') } } }, async () => ({ status: 'ok' as const }));
  api.get(
    '/readyz',
    { schema: { response: { 200: Status('ready'), ...errorResponses(503) } } },
    async (request, reply) => {
      try {
        opts.store.ping();
        return { status: 'ready' as const };
      } catch (err) {
        request.log.error({ err }, 'database not reachable');
        return reply.status(503).send({
          statusCode: 503,
          code: ErrorCode.NOT_READY,
          error: 'Service Unavailable',
          message: 'database not reachable',
        });
      }
    },
  );
}
