/**
 * GET /api/v1/agent/config — an agent's probe plan, for the commune of its token.
 * Order of checks: token (401) → plan of the token's commune → 304 when If-None-Match has its ETag → 200.
 * The agent never names its commune here: the token does, so one agent cannot read another's plan.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../protocol/wire.js';
import { ProbePlanSchema } from '../../protocol/plan.js';
import type { Store } from '../store/store.js';
import { registerAgentAuth, requireAgent } from '../auth/agent-auth.js';
import type { PlanSource } from './catalogue-source.js';

export interface PlanRoutesOptions {
  store: Store;
  plans: PlanSource;
}

/** RFC 9110 §13.1.2: `*`, or any listed entity tag equal by weak comparison (a `W/` prefix is ignored). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}

export async function planRoutes(app: FastifyInstance, opts: PlanRoutesOptions): Promise<void> {
  registerAgentAuth(app, opts.store);
  app.get(
    '/api/v1/agent/config',
    // The 200 schema documents the body; the body itself is the canonical JSON the ETag was computed over,
    // sent as built (fastify does not re-serialise a string), so the bytes always match the ETag.
    { schema: { response: { 200: ProbePlanSchema, '4xx': ApiError } } },
    async (request, reply) => {
      const agent = requireAgent(request);
      const { body, etag } = opts.plans.planFor(agent.commune);
      // no-cache: a proxy may store the plan but must ask again each time (the answer is usually 304).
      void reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
}
