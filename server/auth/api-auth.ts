/**
 * Role checks for API routes. The caller was resolved before routing (principal.ts) from an API key or
 * the web session cookie; here each protected context says which roles it admits, at onRequest, before
 * any body is read. Writes made with the cookie must carry the session's CSRF token.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode, HttpError } from '../errors.js';
import type { Role } from './roles.js';
import { csrfMatches, needsCsrf, type Principal } from './principal.js';

export function checkPrincipal(request: FastifyRequest, roles: readonly Role[]): Principal {
  const principal = request.principal;
  if (!principal) {
    if (request.credentialProblem === 'invalid-key')
      throw new HttpError(401, ErrorCode.AUTH_INVALID, 'unknown, revoked or malformed API key');
    if (request.credentialProblem === 'expired-session')
      throw new HttpError(401, ErrorCode.AUTH_INVALID, 'the session has ended; log in again');
    throw new HttpError(
      401,
      ErrorCode.AUTH_MISSING,
      'log in, or send Authorization: Bearer <API key> (create one with `communewatch api-key create`)',
    );
  }
  if (!roles.includes(principal.role)) {
    throw new HttpError(
      403,
      ErrorCode.AUTH_FORBIDDEN,
      `this needs the ${roles.join(' or ')} role; "${principal.name}" is ${principal.role}`,
    );
  }
  if (needsCsrf(request) && !csrfMatches(request, header(request, 'x-csrf-token'))) {
    throw new HttpError(
      403,
      ErrorCode.AUTH_CSRF,
      "missing or wrong x-csrf-token header (writes with the session cookie must send the page's CSRF token)",
    );
  }
  return principal;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Every request in this context needs a principal of one of `roles`. */
export function registerApiAuth(app: FastifyInstance, roles: readonly Role[]): void {
  app.addHook('onRequest', async (request, reply) => {
    try {
      checkPrincipal(request, roles);
    } catch (err) {
      if (err instanceof HttpError && err.statusCode === 401) {
        void reply.header(
          'www-authenticate',
          request.credentialProblem === 'invalid-key' ? 'Bearer error="invalid_token"' : 'Bearer',
        );
      }
      throw err;
    }
  });
}

/** The principal, for handlers in a context with registerApiAuth. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new HttpError(401, ErrorCode.AUTH_MISSING, 'log in or send an API key');
  return request.principal;
}

/** Throws 403 unless the admin role; for write routes inside a read context. */
export function requireAdmin(request: FastifyRequest): Principal {
  const p = principalOf(request);
  if (p.role !== 'admin')
    throw new HttpError(403, ErrorCode.AUTH_FORBIDDEN, `this needs the admin role; "${p.name}" is ${p.role}`);
  return p;
}
