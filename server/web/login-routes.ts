/**
 * GET/POST /login and POST /logout. Attempts are rate-limited per client IP (@fastify/rate-limit), the
 * password check takes the same time for unknown names, and a cross-site form cannot log a browser in
 * (Origin must be this server when the browser sends it).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Store } from '../store/store.js';
import { authenticate } from '../auth/users.js';
import { clearSessionCookie, csrfMatches, sessionPolicy, setSessionCookie } from '../auth/principal.js';
import { ErrorCode, HttpError } from '../errors.js';
import type { WebConfig } from './web-config.js';
import { html } from './html.js';
import { bareLayout } from './layout.js';
import { applyLangSwitch } from './context.js';
import { translator, type Lang } from './i18n.js';
import { safeNext, securityHeaders, type PageDeps } from './page.js';

interface LoginBody {
  username?: string;
  password?: string;
  next?: string;
}

function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export async function loginRoutes(
  app: FastifyInstance,
  opts: PageDeps & { store: Store; web: WebConfig },
): Promise<void> {
  const { store, web } = opts;
  await app.register(rateLimit, { global: false });

  const form = (lang: Lang, next: string, problem?: string, username = '') => {
    const t = translator(lang);
    const other = lang === 'vi' ? 'en' : 'vi';
    const languageName = other === 'en' ? 'English' : 'Tiếng Việt';
    const languageLink = html`<a href="/login?lang=${other}&amp;next=${encodeURIComponent(next)}">${languageName}</a>`;
    return bareLayout(
      { lang, assets: opts.assets },
      t('login_title'),
      html`<form class="login" method="post" action="/login">
<h1>CommuneWatch</h1><p>${t('login_intro')}</p>
${opts.demo ? html`<div class="demo">${t('demo_login_hint')}</div>` : ''}
${problem ? html`<div class="err" role="alert">${problem}</div>` : ''}
<label>${t('username')}<input name="username" autocomplete="username" required value="${username}" autofocus></label>
<label>${t('password')}<input name="password" type="password" autocomplete="current-password" required></label>
<input type="hidden" name="next" value="${next}">
<p><button class="primary" type="submit">${t('login')}</button> ${languageLink}</p>
</form>`,
    ).value;
  };

  app.get('/login', async (request, reply) => {
    const lang = applyLangSwitch(request, reply);
    const next = safeNext((request.query as { next?: string }).next);
    if (request.principal?.via === 'session') return reply.redirect(next, 303);
    securityHeaders(reply);
    return reply.type('text/html; charset=utf-8').send(form(lang, next));
  });

  app.post(
    '/login',
    {
      config: { rateLimit: { max: web.loginAttempts, timeWindow: web.loginWindowMinutes * 60_000 } },
      schema: {
        body: {
          type: 'object',
          properties: {
            username: { type: 'string', maxLength: 64 },
            password: { type: 'string', maxLength: 200 },
            next: { type: 'string', maxLength: 2000 },
          },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      if (!sameOrigin(request)) throw new HttpError(403, ErrorCode.AUTH_CSRF, 'csrf_failed');
      const lang = applyLangSwitch(request, reply);
      const t = translator(lang);
      const body = (request.body ?? {}) as LoginBody;
      const next = safeNext(body.next);
      const username = (body.username ?? '').trim().toLowerCase();
      const user =
        username && body.password ? await authenticate(store.users, username, body.password, opts.now()) : undefined;
      securityHeaders(reply);
      if (!user) {
        request.log.info({ username, ip: request.ip }, 'login failed');
        return reply
          .code(401)
          .type('text/html; charset=utf-8')
          .send(form(lang, next, t('login_failed'), username));
      }
      // A session from before login (if any) is never reused: a fresh token defeats session fixation.
      if (request.principal?.sessionToken) store.sessions.end(request.principal.sessionToken);
      const { token } = store.sessions.create({
        userId: user.id,
        now: opts.now(),
        policy: sessionPolicy(web),
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      });
      setSessionCookie(request, reply, web, token);
      request.log.info({ username, ip: request.ip }, 'login');
      return reply.redirect(next, 303);
    },
  );

  app.post('/logout', async (request, reply) => {
    const p = request.principal;
    if (p?.via === 'session') {
      if (!csrfMatches(request, (request.body as { _csrf?: string } | undefined)?._csrf))
        throw new HttpError(403, ErrorCode.AUTH_CSRF, 'csrf_failed');
      store.sessions.end(p.sessionToken!);
    }
    clearSessionCookie(request, reply, web);
    return reply.redirect('/login', 303);
  });
}
