/** The page shell: navigation by role, language switch, logout, "data as of" and the offline notice. */
import { html, raw, type Html } from './html.js';
import type { PageContext } from './context.js';
import { withQuery } from './context.js';
import type { MessageKey } from './i18n.js';
import { VERSION } from '../../common/version.js';

export interface PageBody {
  title: string;
  body: Html;
  /** Pages with charts load uPlot; others do not pay for it. */
  charts?: boolean;
}

interface NavItem {
  href: string;
  key: MessageKey;
  roles: ReadonlyArray<'admin' | 'viewer' | 'vendor'>;
}

const NAV: NavItem[] = [
  { href: '/', key: 'nav_overview', roles: ['admin', 'viewer', 'vendor'] },
  { href: '/incidents', key: 'nav_incidents', roles: ['admin', 'viewer', 'vendor'] },
  { href: '/services', key: 'nav_services', roles: ['admin', 'viewer', 'vendor'] },
  { href: '/dossiers', key: 'nav_dossiers', roles: ['admin', 'viewer'] },
  { href: '/rum', key: 'nav_rum', roles: ['admin', 'viewer', 'vendor'] },
  { href: '/equipment', key: 'nav_equipment', roles: ['admin', 'viewer'] },
  { href: '/admin', key: 'nav_admin', roles: ['admin'] },
];

const META = raw('<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">');

function active(ctx: PageContext, href: string): boolean {
  return href === '/' ? ctx.path === '/' || ctx.path.startsWith('/communes') : ctx.path.startsWith(href);
}

export function layout(ctx: PageContext, page: PageBody): Html {
  const { t } = ctx;
  const other = ctx.lang === 'vi' ? 'en' : 'vi';
  const nav = NAV.filter((n) => n.roles.includes(ctx.principal.role)).map(
    (n) => html`<a href="${n.href}"${active(ctx, n.href) ? raw(' class="active"') : ''}>${t(n.key)}</a>`,
  );
  const rum = ctx.rumKey
    ? html`<script src="/rum.js" data-key="${ctx.rumKey}" data-app="communewatch-ui" data-version="${VERSION}" defer></script>`
    : '';
  return html`<!doctype html>
<html lang="${ctx.lang}"><head>${META}<link rel="icon" href="data:,">
<title>${page.title} — CommuneWatch</title>
<link rel="stylesheet" href="${ctx.assets.css}">${page.charts ? html`<link rel="stylesheet" href="${ctx.assets.uplotCss}">` : ''}
</head><body data-as-of="${ctx.now}">
<header><a class="brand" href="/">CommuneWatch</a>
<nav>${nav}</nav>
<div class="me"><span>${ctx.principal.name} · ${t(`role_${ctx.principal.role}`)}</span>
<a href="${withQuery(ctx, { lang: other })}" hreflang="${other}">${other === 'en' ? 'English' : 'Tiếng Việt'}</a>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button>${t('logout')}</button></form></div>
</header>
<main>
${ctx.demo ? html`<div class="demo" role="note">${t('demo_banner')}</div>` : ''}
<div id="stale" class="stale" role="status">${t('stale_notice', { time: ctx.fmt.dateTime(ctx.now) })}</div>
<h1>${page.title}</h1>
${page.body}
<p class="asof">${t('data_as_of', { time: ctx.fmt.dateTime(ctx.now) })}</p>
</main>
${page.charts ? html`<script src="${ctx.assets.uplotJs}"></script>` : ''}<script src="${ctx.assets.js}" defer></script>
${rum}
</body></html>`;
}

/** A page with no navigation (login, errors before login). */
export function bareLayout(ctx: Pick<PageContext, 'lang' | 'assets'>, title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="${ctx.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} — CommuneWatch</title><link rel="icon" href="data:,"><link rel="stylesheet" href="${ctx.assets.css}"></head>
<body>${body}</body></html>`;
}
