/**
 * Role checks for API routes: `Authorization: Bearer cwk_…` (an API key, see api-tokens.ts). Registered in
 * the encapsulated context of the protected routes and run at onRequest, before any body is read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../store/store.js';
import { ErrorCode, HttpError } from '../errors.js';
import type { ApiPrincipal, Role } from './api-tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: ApiPrincipal;
  }
}

/** Every request in this context needs a valid API key of one of `roles`. */
export function registerApiAuth(app: FastifyInstance, store: Store, now: () => number, roles: readonly Role[]): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!m) {
      void reply.header('www-authenticate', 'Bearer');
      throw new HttpError(401, ErrorCode.AUTH_MISSING, 'missing Authorization: Bearer <API key> (create one with `communewatch api-key create`)');
    }
    const principal = store.apiTokens.verify(m[1]!, now());
    if (!principal) {
      void reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new HttpError(401, ErrorCode.AUTH_INVALID, 'unknown, revoked or malformed API key');
    }
    if (!roles.includes(principal.role)) throw new HttpError(403, ErrorCode.AUTH_FORBIDDEN, `this needs the ${roles.join(' or ')} role; the key "${principal.name}" is ${principal.role}`);
    request.principal = principal;
  });
}

/** The principal, for handlers in a context with registerApiAuth. */
export function principalOf(request: FastifyRequest): ApiPrincipal {
  if (!request.principal) throw new HttpError(401, ErrorCode.AUTH_MISSING, 'API key required');
  return request.principal;
}

/** Throws 403 unless the admin role; for write routes inside a read context. */
export function requireAdmin(request: FastifyRequest): ApiPrincipal {
  const p = principalOf(request);
  if (p.role !== 'admin') throw new HttpError(403, ErrorCode.AUTH_FORBIDDEN, `this needs the admin role; the key "${p.name}" is ${p.role}`);
  return p;
}
