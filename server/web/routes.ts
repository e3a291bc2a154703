/** GET / (the status page) and GET /api/v1/status (latest result per target, from memory). */
import type { FastifyInstance } from 'fastify';
import type { LiveState } from '../metrics/live-state.js';
import type { Store } from '../store/store.js';
import { renderStatusPage } from './status-page.js';

export async function statusRoutes(app: FastifyInstance, opts: { live: LiveState; store: Store; now: () => number; demo?: boolean }): Promise<void> {
  const page = renderStatusPage({ demo: opts.demo ?? false });
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/api/v1/status', async () => {
    const targets = [...opts.live.values()]
      .map((t) => ({
        commune: t.commune,
        service: t.service,
        target: t.target,
        kind: t.kind,
        ok: t.result.ok,
        ts: t.result.ts,
        latencyMs: t.result.latencyMs ?? null,
        error: t.result.error ?? null,
        role: t.result.role ?? 'service',
        layer: t.result.layer ?? null,
        blame: t.result.blame ?? null,
        link: t.result.link ?? null,
      }))
      .sort((a, b) => a.commune.localeCompare(b.commune) || a.service.localeCompare(b.service) || a.target.localeCompare(b.target));
    return { serverTime: opts.now(), targets };
  });
}
