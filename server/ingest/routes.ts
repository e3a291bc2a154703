/**
 * POST /api/v1/ingest — where agents deliver batches.
 * Order of checks: token (401) → content type and encoding (415) → body size (413) → JSON or gzip (400)
 * → schema (400, naming the field) → wire version (400) → commune of the token (403) → result ids unique
 * within the batch (400) → one SQLite transaction → 200 with the ack (also for a replayed batch).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApiError, IngestAck, IngestBatch } from '../../protocol/wire.js';
import type { Store } from '../store/store.js';
import type { Metrics } from '../metrics/metrics.js';
import type { LiveState } from '../metrics/live-state.js';
import { registerAgentAuth, requireAgent } from '../auth/agent-auth.js';
import { acceptGzipBodies } from './gzip-body.js';
import { ingestBatch } from './ingest-service.js';
import type { IncidentEngine } from '../outages/incident-engine.js';

export interface IngestRoutesOptions {
  store: Store;
  metrics: Metrics;
  live: LiveState;
  now: () => number;
  skewThresholdMs: number;
  bodyLimitBytes: number;
  incidents?: IncidentEngine;
}

export async function ingestRoutes(app: FastifyInstance, opts: IngestRoutesOptions): Promise<void> {
  registerAgentAuth(app, opts.store);
  acceptGzipBodies(app);
  // Only JSON is ingested: without this, fastify's text parser would turn a text/plain body into a
  // confusing schema error instead of a 415.
  app.removeContentTypeParser('text/plain');
  app.addHook('onResponse', async (_request, reply) => {
    if (reply.statusCode !== 200) opts.metrics.ingestRequests.inc({ outcome: String(reply.statusCode) });
  });

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/ingest',
    {
      bodyLimit: opts.bodyLimitBytes,
      schema: {
        body: IngestBatch,
        response: { 200: IngestAck, '4xx': ApiError },
      },
    },
    async (request) => {
      const agent = requireAgent(request);
      const stopTimer = opts.metrics.ingestBatchSeconds.startTimer();
      const { ack, outcome } = ingestBatch(
        { store: opts.store, now: opts.now, skewThresholdMs: opts.skewThresholdMs, incidents: opts.incidents },
        agent,
        request.body,
      );
      stopTimer();
      opts.live.update(agent.commune, outcome.storedResults);
      opts.live.updateSystem(agent.commune, agent.name, outcome.storedHealth, outcome.storedInventory);
      opts.metrics.ingestRequests.inc({ outcome: ack.replay ? 'replay' : 'stored' });
      const body = request.body;
      opts.metrics.ingestBatchResults.observe(
        body.results.length + (body.health?.length ?? 0) + (body.inventory?.length ?? 0),
      );
      if (!ack.replay) {
        opts.metrics.ingestResults.inc({ outcome: 'stored' }, ack.stored);
        opts.metrics.ingestResults.inc({ outcome: 'duplicate' }, ack.duplicates);
      }
      if (ack.clockCorrected)
        request.log.info(
          { commune: agent.commune, agent: agent.name, skewMs: ack.skewMs },
          'agent clock skew corrected',
        );
      return ack;
    },
  );
}
