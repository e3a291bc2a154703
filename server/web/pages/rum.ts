/**
 * What officials' browsers saw inside the vendors' web apps (real-user monitoring): exception groups with
 * where they happened, and failed fetches — the defect evidence a vendor sees for its own apps.
 */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.js';
import { ALL_ROLES, registerPage, type PageDeps } from '../page.js';
import { renderTable, type TableSpec } from '../table.js';
import type { ErrorGroup, FetchFailureRow } from '../../store/rum-store.js';
import type { WebData } from '../web-data.js';

const DAY = 86_400_000;

export function rumPage(app: FastifyInstance, deps: PageDeps, data: WebData): void {
  registerPage(app, deps, '/rum', ALL_ROLES, (ctx) => {
    const { t, fmt } = ctx;
    const own = ctx.principal.services;
    const appIds = own
      ? data.store.rum
          .apps()
          .filter((a) => a.services?.some((s) => own.includes(s)))
          .map((a) => a.id)
      : undefined;
    const since = ctx.now - 7 * DAY;
    const top = (counts: Record<string, number>, n = 3) =>
      Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, c]) => `${k} (${fmt.number(c)})`)
        .join(', ');
    const groups = data.store.rum
      .errorGroups({ appIds, since, limit: 500 })
      .map((g) => ({ ...g, dims: data.store.rum.errorDims(g.id) }));
    const errors: TableSpec<ErrorGroup & { dims: ReturnType<typeof data.store.rum.errorDims> }> = {
      id: 'errors',
      file: 'loi-trinh-duyet',
      sheet: 'rum_errors',
      rows: groups,
      empty: 'no_rows',
      pageSize: 100,
      columns: [
        { head: 'app', value: (g) => g.app },
        { head: 'error', value: (g) => `${g.type}: ${g.message}` },
        { head: 'count', num: true, value: (g) => g.count },
        { head: 'communes', value: (g) => top(g.dims.commune) },
        { head: 'browsers', value: (g) => top(g.dims.browser) },
        { head: 'version', value: (g) => top(g.dims.version) },
        { head: 'page', value: (g) => g.samplePage ?? '' },
        { head: 'where_in_code', value: (g) => g.frames.map((f) => `${f.function} (${f.file})`).join(' ← ') },
        { head: 'first_seen', value: (g) => fmt.dateTime(g.firstSeen) },
        { head: 'last_seen', value: (g) => fmt.dateTime(g.lastSeen) },
      ],
    };
    const failures: TableSpec<FetchFailureRow> = {
      id: 'fetches',
      file: 'goi-api-loi',
      sheet: 'rum_fetches',
      rows: data.store.rum.fetchFailures({ appIds, since, limit: 500 }),
      empty: 'no_rows',
      pageSize: 100,
      columns: [
        { head: 'app', value: (f) => f.app },
        { head: 'url', value: (f) => f.url },
        {
          head: 'http_status',
          num: true,
          value: (f) => f.status,
          show: (f) => (f.status === 0 ? t('network_failure') : String(f.status)),
        },
        { head: 'count', num: true, value: (f) => f.count },
        { head: 'commune', value: (f) => f.commune },
        { head: 'date', value: (f) => fmt.date(f.day) },
        { head: 'last_seen', value: (f) => fmt.dateTime(f.lastSeen) },
      ],
    };
    const body = html`<p class="legend">${t('rum_explained')}</p>
<h2>${t('rum_errors')}</h2>${renderTable(ctx, errors)}
<h2>${t('rum_fetches')}</h2>${renderTable(ctx, failures)}`;
    return { title: t('nav_rum'), body, tables: [errors, failures] };
  });
}
