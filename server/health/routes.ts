/** GET /healthz (the process answers) and GET /readyz (the database answers too). */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';
import { ErrorCode } from '../errors.js';

export async function healthRoutes(app: FastifyInstance, opts: { store: Store }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    try {
      opts.store.ping();
      return { status: 'ready' };
    } catch (err) {
      request.log.error({ err }, 'database not reachable');
      return reply.status(503).send({
        statusCode: 503,
        code: ErrorCode.NOT_READY,
        error: 'Service Unavailable',
        message: 'database not reachable',
      });
    }
  });
}
