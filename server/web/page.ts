/**
 * How a UI page is served: the login gate (no session → the login page, coming back afterwards), the
 * role check, CSRF on form posts, the layout, security headers, and `?export=csv|xlsx&table=<id>` for
 * every table the page defines.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../auth/roles.js';
import { csrfMatches } from '../auth/principal.js';
import { ErrorCode, HttpError } from '../errors.js';
import { sendTable, type ExportFormat } from '../export/tabular.js';
import type { Assets } from './assets.js';
import { applyLangSwitch, pageContext, type PageContext } from './context.js';
import type { Html } from './html.js';
import { layout } from './layout.js';
import { renderTable, toTabular, type TableSpec } from './table.js';

export interface PageResult {
  title: string;
  body: Html;
  charts?: boolean;
  /** Tables offered for export (rendered by the page itself where it wants them). */
  // biome-ignore lint/suspicious/noExplicitAny: each table keeps its own row type
  tables?: ReadonlyArray<TableSpec<any>>;
}

export interface PageDeps {
  now: () => number;
  offsetMin: number;
  assets: Assets;
  demo: boolean;
  rumKey?: string;
}

export const ALL_ROLES: readonly Role[] = ['admin', 'viewer', 'vendor'];

export function securityHeaders(reply: FastifyReply): void {
  void reply
    .header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'private, no-cache');
}

/** `next` after login: a local path only, never another site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

function gate(request: FastifyRequest, reply: FastifyReply, roles: readonly Role[]): boolean {
  if (!request.principal) {
    void reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    return false;
  }
  if (!roles.includes(request.principal.role)) throw new HttpError(403, ErrorCode.AUTH_FORBIDDEN, 'forbidden_role');
  return true;
}

export function renderPage(ctx: PageContext, result: PageResult): string {
  return layout(ctx, result).value;
}

export function registerPage(
  app: FastifyInstance,
  deps: PageDeps,
  path: string,
  roles: readonly Role[],
  handler: (ctx: PageContext, request: FastifyRequest, reply: FastifyReply) => PageResult | Promise<PageResult>,
): void {
  app.get(path, async (request, reply) => {
    const lang = applyLangSwitch(request, reply);
    if (!gate(request, reply, roles)) return reply;
    const ctx = pageContext(request, lang, deps);
    const result = await handler(ctx, request, reply);
    const format = ctx.query.get('export');
    if (format === 'csv' || format === 'xlsx') {
      const table = result.tables?.find((t) => t.id === ctx.query.get('table'));
      if (!table)
        throw new HttpError(
          404,
          ErrorCode.NOT_FOUND,
          `this page has no table "${ctx.query.get('table') ?? ''}" to export`,
        );
      return sendTable(reply, toTabular(table, ctx), format as ExportFormat);
    }
    securityHeaders(reply);
    return reply.type('text/html; charset=utf-8').send(renderPage(ctx, result));
  });
}

/** A form post from a page: session (or key) of one of `roles`, and the session's CSRF token in `_csrf`. */
export function registerAction<B extends Record<string, string | undefined>>(
  app: FastifyInstance,
  path: string,
  roles: readonly Role[],
  handler: (request: FastifyRequest, body: B, reply: FastifyReply) => Promise<string> | string,
): void {
  app.post(path, async (request, reply) => {
    if (!gate(request, reply, roles)) return reply;
    const body = (request.body ?? {}) as B;
    if (request.principal!.via === 'session' && !csrfMatches(request, body._csrf)) {
      throw new HttpError(403, ErrorCode.AUTH_CSRF, 'csrf_failed');
    }
    const to = await handler(request, body, reply);
    return reply.redirect(to, 303);
  });
}

export { renderTable };
