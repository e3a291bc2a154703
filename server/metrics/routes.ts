/** GET /metrics in the Prometheus text format. */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

export async function metricsRoutes(app: FastifyInstance, opts: { metrics: Metrics }): Promise<void> {
  // For Prometheus, in its text format: not part of the described JSON API.
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    void reply.header('content-type', opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
}
