/** GET /metrics in the Prometheus text format. */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

export async function metricsRoutes(app: FastifyInstance, opts: { metrics: Metrics }): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
}
