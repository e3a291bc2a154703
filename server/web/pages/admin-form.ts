/**
 * Helpers of the admin forms (admin.ts, admin-ops.ts): the CSRF field every form carries, a 400 naming
 * what was wrong with the input, and a secret shown once after a post. Apart from the pages so that the
 * page modules do not import each other.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type Html } from '../html.js';
import type { PageContext } from '../context.js';
import { ErrorCode, HttpError } from '../../errors.js';

/**
 * A secret to show once: kept in a short-lived, HttpOnly, path-scoped cookie between the form post and
 * the page it redirects to, then cleared. Nothing is written to the database in clear.
 */
const FLASH = 'cw_flash';

export function flash(reply: FastifyReply, path: string, message: string): void {
  void reply.setCookie(FLASH, Buffer.from(message).toString('base64url'), {
    path,
    httpOnly: true,
    sameSite: 'strict',
    maxAge: 60,
  });
}

export function takeFlash(request: FastifyRequest, reply: FastifyReply, path: string): string | undefined {
  const v = request.cookies[FLASH];
  if (!v) return undefined;
  void reply.clearCookie(FLASH, { path });
  return Buffer.from(v, 'base64url').toString();
}

export function bad(message: string): HttpError {
  return new HttpError(400, ErrorCode.USER_INVALID, message);
}

export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}
