/**
 * One definition per table gives both its HTML and its CSV/XLSX export (every table in the UI exports),
 * so the file always has the rows and columns the page shows — all rows, not just the page in view.
 */
import { html, raw, type Html } from './html.js';
import { withQuery, type PageContext } from './context.js';
import { CATALOGUES, type MessageKey } from './i18n.js';
import type { Cell, Tabular } from '../export/tabular.js';

export interface Column<R> {
  head: MessageKey;
  /** A heading that is data (a service name), shown instead of `head`. */
  label?: string;
  /** Narrow column with a vertical heading (the overview grid). */
  vertical?: boolean;
  /** The value in exports (and, formatted, on the page unless `show` is given). */
  value: (row: R) => Cell;
  show?: (row: R) => Html | string | number;
  num?: boolean;
}

export interface TableSpec<R> {
  /** Unique on the page: `?export=csv&table=<id>` picks it. */
  id: string;
  /** File name (ASCII) without extension. */
  file: string;
  /** Sheet title (XLSX). */
  sheet: MessageKey;
  columns: ReadonlyArray<Column<R>>;
  rows: readonly R[];
  empty?: MessageKey;
  /** Rows per page on screen (exports have all); default 200. */
  pageSize?: number;
  /** Extra CSS class (e.g. "grid"). */
  className?: string;
}

/** Exports are bilingual whatever the reader's language: files travel between officials and vendors. */
function bilingual(key: MessageKey): string {
  const vi = CATALOGUES.vi[key];
  const en = CATALOGUES.en[key];
  return vi === en ? vi : `${vi} / ${en}`;
}

export function toTabular<R>(spec: TableSpec<R>, ctx: PageContext): Tabular {
  return {
    name: `${spec.file}-${ctx.fmt.date(ctx.now).split('/').reverse().join('-')}`,
    sheet: CATALOGUES.vi[spec.sheet],
    headers: spec.columns.map((c) => c.label ?? bilingual(c.head)),
    rows: spec.rows.map((r) => spec.columns.map((c) => c.value(r))),
  };
}

export function renderTable<R>(ctx: PageContext, spec: TableSpec<R>): Html {
  const { t } = ctx;
  const size = spec.pageSize ?? 200;
  const pageParam = `${spec.id}_page`;
  const pages = Math.max(1, Math.ceil(spec.rows.length / size));
  const page = Math.min(pages, Math.max(1, Number(ctx.query.get(pageParam)) || 1));
  const shown = spec.rows.slice((page - 1) * size, page * size);
  const cell = (c: Column<R>, r: R) => {
    if (c.show) return c.show(r);
    const v = c.value(r);
    return typeof v === 'number' ? ctx.fmt.number(v, 2) : (v ?? '');
  };
  const pager =
    pages > 1
      ? html`<div class="pager">${t('page_of', { page, pages, rows: ctx.fmt.number(spec.rows.length) })}
${page > 1 ? html` <a href="${withQuery(ctx, { [pageParam]: page - 1 })}">← ${t('previous')}</a>` : ''}
${page < pages ? html` <a href="${withQuery(ctx, { [pageParam]: page + 1 })}">${t('next')} →</a>` : ''}</div>`
      : '';
  const csv = withQuery(ctx, { export: 'csv', table: spec.id });
  const xlsx = withQuery(ctx, { export: 'xlsx', table: spec.id });
  const tableClass = spec.className ? raw(` class="${spec.className}"`) : '';
  const heads = spec.columns.map((c) => {
    const cls = c.num ? raw(' class="num"') : c.vertical ? raw(' class="v"') : '';
    return html`<th${cls}>${c.label ?? t(c.head)}</th>`;
  });
  const cells = (r: R) =>
    spec.columns.map((c) => {
      const cls = c.num ? raw(' class="num"') : c.vertical ? raw(' class="c"') : '';
      return html`<td${cls}>${cell(c, r)}</td>`;
    });
  const rows =
    shown.length === 0
      ? html`<tr><td colspan="${spec.columns.length}">${t(spec.empty ?? 'no_rows')}</td></tr>`
      : shown.map((r) => html`<tr>${cells(r)}</tr>`);
  return html`<div class="tools"><span>${t('rows_count', { n: ctx.fmt.number(spec.rows.length) })}</span>
<span class="exp">${t('export')}: <a href="${csv}" download>CSV</a> · <a href="${xlsx}" download>XLSX</a></span></div>
<div class="box"><table id="${spec.id}"${tableClass}><thead><tr>${heads}</tr></thead>
<tbody>${rows}</tbody></table></div>${pager}`;
}
