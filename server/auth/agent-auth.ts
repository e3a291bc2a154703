/**
 * Bearer-token authentication for agent routes. Registered inside the encapsulated context that holds
 * only those routes, and run at onRequest so an unauthenticated request is refused before its body is read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentRecord, Store } from '../store/store.js';
import { ErrorCode, HttpError } from '../errors.js';
import { verifyToken } from './agent-tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    agent?: AgentRecord;
  }
}

export function requireAgent(request: FastifyRequest): AgentRecord {
  if (!request.agent) throw new HttpError(401, ErrorCode.AUTH_MISSING, 'agent authentication required');
  return request.agent;
}

export function registerAgentAuth(app: FastifyInstance, store: Store): void {
  app.decorateRequest('agent', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    if (!header) {
      void reply.header('www-authenticate', 'Bearer');
      throw new HttpError(401, ErrorCode.AUTH_MISSING, 'missing Authorization: Bearer <agent token>');
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const agent = m ? verifyToken(store, m[1]!) : undefined;
    if (!agent) {
      void reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new HttpError(401, ErrorCode.AUTH_INVALID, 'unknown, revoked or malformed agent token');
    }
    request.agent = agent;
  });
}
