/**
 * Who is calling: resolved once per request, before routing, from either credential the server accepts
 * for people — an API key (`Authorization: Bearer cwk_…`) or the web UI's session cookie. Routes then
 * only check roles (api-auth.ts). Agents authenticate separately (agent-auth.ts, `cwa_` tokens).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../store/store.js';
import type { ApiPrincipal } from './roles.js';
import type { WebConfig } from '../web/web-config.js';
import type { SessionPolicy } from './sessions.js';

export const SESSION_COOKIE = 'cw_session';

export interface Principal extends ApiPrincipal {
  via: 'key' | 'session';
  /** Sessions: the CSRF token every write with the cookie must echo (header x-csrf-token or form field _csrf). */
  csrfToken?: string;
  /** Sessions: the cookie token, to end it at logout. */
  sessionToken?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** Why no principal was resolved although a credential was presented. */
    credentialProblem?: 'invalid-key' | 'expired-session';
  }
}

export function sessionPolicy(web: WebConfig): SessionPolicy {
  return { idleMs: web.sessionIdleHours * 3_600_000, absoluteMs: web.sessionMaxDays * 86_400_000 };
}

export function registerPrincipalResolver(
  app: FastifyInstance,
  deps: { store: Store; now: () => number; web: WebConfig },
): void {
  const policy = sessionPolicy(deps.web);
  app.decorateRequest('principal', undefined);
  app.decorateRequest('credentialProblem', undefined);
  app.addHook('onRequest', async (request) => {
    const bearer = /^Bearer\s+(cwk_\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (bearer) {
      const key = deps.store.apiTokens.verify(bearer[1]!, deps.now());
      if (key) request.principal = { ...key, via: 'key' };
      else request.credentialProblem = 'invalid-key';
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = deps.store.sessions.touch(token, deps.now(), policy);
    const user = session && deps.store.users.get(session.userId);
    if (!session || !user) {
      request.credentialProblem = 'expired-session';
      return;
    }
    request.principal = {
      id: user.id,
      name: user.username,
      role: user.role,
      ...(user.services && { services: user.services }),
      via: 'session',
      csrfToken: session.csrfToken,
      sessionToken: token,
    };
  });
}

/** Methods that change state need the CSRF token when the credential is a cookie the browser adds by itself. */
export function needsCsrf(request: FastifyRequest): boolean {
  return request.principal?.via === 'session' && !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
}

export function csrfMatches(request: FastifyRequest, presented: string | undefined): boolean {
  const expected = request.principal?.csrfToken;
  if (!expected || !presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieIsSecure(request: FastifyRequest, web: WebConfig): boolean {
  return web.secureCookie === 'always' || (web.secureCookie === 'auto' && request.protocol === 'https');
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, web: WebConfig, token: string): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookieIsSecure(request, web),
    maxAge: Math.floor(web.sessionMaxDays * 86_400),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, web: WebConfig): void {
  void reply.clearCookie(SESSION_COOKIE, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookieIsSecure(request, web),
  });
}
