/**
 * What every page needs to render for the person asking: who they are, their language and number
 * format, the CSRF token for forms, and the server clock.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';
import { formatter, type Formatter } from './format.js';
import { isLang, translator, type Lang, type Translate } from './i18n.js';
import type { Assets } from './assets.js';

export const LANG_COOKIE = 'cw_lang';

export interface PageContext {
  principal: Principal;
  lang: Lang;
  t: Translate;
  fmt: Formatter;
  now: number;
  offsetMin: number;
  /** Path of this page without the query. */
  path: string;
  query: URLSearchParams;
  csrf: string;
  assets: Assets;
  demo: boolean;
  rumKey?: string;
}

export function requestLang(request: FastifyRequest): Lang {
  const cookie = request.cookies[LANG_COOKIE];
  return isLang(cookie) ? cookie : 'vi';
}

/** `?lang=en` on any page switches and remembers the language (a preference, not a security setting). */
export function applyLangSwitch(request: FastifyRequest, reply: FastifyReply): Lang {
  const asked = new URL(request.url, 'http://x').searchParams.get('lang');
  if (isLang(asked)) {
    void reply.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'lax', maxAge: 365 * 86_400, httpOnly: true });
    return asked;
  }
  return requestLang(request);
}

export function pageContext(
  request: FastifyRequest,
  lang: Lang,
  deps: { now: () => number; offsetMin: number; assets: Assets; demo: boolean; rumKey?: string },
): PageContext {
  const url = new URL(request.url, 'http://x');
  url.searchParams.delete('lang');
  return {
    principal: request.principal!,
    lang,
    t: translator(lang),
    fmt: formatter(lang, deps.offsetMin),
    now: deps.now(),
    offsetMin: deps.offsetMin,
    path: url.pathname,
    query: url.searchParams,
    csrf: request.principal?.csrfToken ?? '',
    assets: deps.assets,
    demo: deps.demo,
    rumKey: deps.rumKey,
  };
}

/** This page's URL with some query parameters changed (undefined removes one). */
export function withQuery(
  ctx: Pick<PageContext, 'path' | 'query'>,
  changes: Record<string, string | number | undefined>,
): string {
  const q = new URLSearchParams(ctx.query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') q.delete(k);
    else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${ctx.path}?${s}` : ctx.path;
}
