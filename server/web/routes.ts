/**
 * The built-in web UI (server-rendered, Vietnamese first) and GET /api/v1/status. Registered in its own
 * context so form parsing and response compression apply to the UI only, never to agent ingest.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import compress from '@fastify/compress';
import { constants as zlib } from 'node:zlib';
import type { LiveState } from '../metrics/live-state.js';
import type { Store } from '../store/store.js';
import type { Units } from '../org/units.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import type { DossierConfig } from '../dossiers/dossier-config.js';
import { registerApiAuth, principalOf } from '../auth/api-auth.js';
import { serviceFilter } from '../auth/scope.js';
import { errorResponses } from '../api/schemas/common.js';
import { StatusList } from '../api/schemas/status.js';
import { registerAssets } from './assets.js';
import type { WebData } from './web-data.js';
import type { WebConfig } from './web-config.js';
import type { AlertConfig } from '../alerts/alert-config.js';
import { loginRoutes } from './login-routes.js';
import { overviewPage } from './pages/overview.js';
import { incidentPages } from './pages/incidents.js';
import { servicePages } from './pages/services.js';
import { communePage } from './pages/commune.js';
import { dossierPages } from './pages/dossiers.js';
import { equipmentPage } from './pages/equipment.js';
import { adminPages } from './pages/admin.js';
import { rumPage } from './pages/rum.js';
import { html } from './html.js';
import { bareLayout } from './layout.js';
import { pageContext, requestLang } from './context.js';
import { CATALOGUES, translator, type MessageKey } from './i18n.js';
import { renderPage, securityHeaders, type PageDeps } from './page.js';

export interface WebOptions {
  store: Store;
  live: LiveState;
  units: Units;
  calendars: CalendarBook;
  dossiers: DossierConfig;
  web: WebConfig;
  alerts: AlertConfig;
  now: () => number;
  offsetMin: number;
  demo?: boolean;
  /** Key of the UI's own RUM app: pages load /rum.js with it. */
  rumKey?: string;
  /** The figures pages read (overview uptime, the dossiers month), kept warm by the page-figures job. */
  pageData: WebData;
}

export async function webRoutes(app: FastifyInstance, opts: WebOptions): Promise<void> {
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  // Brotli at a middling quality: pages are built per request, so the highest levels cost more CPU than
  // the bytes they save on a commune link.
  await app.register(compress, {
    global: true,
    threshold: 1024,
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } },
  });
  const assets = registerAssets(app);
  const deps: PageDeps = {
    now: opts.now,
    offsetMin: opts.offsetMin,
    assets,
    demo: opts.demo ?? false,
    rumKey: opts.rumKey,
  };
  const data = opts.pageData;

  // Errors on UI routes are pages in the reader's language; API-style JSON stays for /api/.
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) request.log.error({ err }, 'page failed');
    const lang = requestLang(request);
    const t = translator(lang);
    const message =
      status >= 500 ? t('error_internal') : err.message in CATALOGUES.vi ? t(err.message as MessageKey) : err.message;
    securityHeaders(reply);
    const body = html`<p class="err" role="alert">${message}</p><p><a href="/">${t('back_home')}</a></p>`;
    // Logged in: the error inside the usual page, with the menu and logout; otherwise a bare page.
    const page = request.principal
      ? renderPage(pageContext(request, lang, deps), { title: `${t('error_title')} ${status}`, body })
      : bareLayout(
          { lang, assets },
          t('error_title'),
          html`<main><div class="login"><h1>${status}</h1>${body}</div></main>`,
        ).value;
    return reply.code(status).type('text/html; charset=utf-8').send(page);
  });

  await app.register(loginRoutes, { ...deps, store: opts.store, web: opts.web });
  overviewPage(app, deps, data);
  incidentPages(app, deps, data);
  servicePages(app, deps, data);
  communePage(app, deps, data);
  dossierPages(app, deps, data);
  equipmentPage(app, deps, data);
  rumPage(app, deps, data);
  adminPages(app, deps, data, opts.alerts);
}

/** GET /api/v1/status: the latest result per target, from memory; a vendor sees its services only. */
export async function statusApiRoutes(
  app: FastifyInstance,
  opts: { live: LiveState; now: () => number },
): Promise<void> {
  registerApiAuth(app, ['admin', 'viewer', 'vendor']);
  app.get(
    '/api/v1/status',
    { schema: { response: { 200: StatusList, ...errorResponses(401, 403) } } },
    async (request) => {
      const visible = serviceFilter(principalOf(request));
      const targets = [...opts.live.values()]
        .filter((t) => visible(t.service))
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
        .sort(
          (a, b) =>
            a.commune.localeCompare(b.commune) ||
            a.service.localeCompare(b.service) ||
            a.target.localeCompare(b.target),
        );
      return { serverTime: opts.now(), targets };
    },
  );
}
