/**
 * Admin (district/provincial IT): people and their logins, API keys, agent tokens. Secrets are shown
 * once, right after creation, and never stored in clear. Maintenance, calendar and configuration pages are
 * in admin-ops.ts.
 */
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.js';
import type { PageContext } from '../context.js';
import { registerAction, registerPage, type PageDeps } from '../page.js';
import { renderTable, type Column, type TableSpec } from '../table.js';
import { ROLES, type Role } from '../../auth/roles.js';
import type { ApiTokenRow, User } from '../../store/auth-store.js';
import { checkRole, parseServiceList } from '../../auth/role-input.js';
import { USERNAME_PATTERN } from '../../auth/users.js';
import { hashPassword, passwordProblem } from '../../auth/passwords.js';
import { createAgentToken } from '../../auth/agent-tokens.js';
import type { AgentSummary } from '../../store/store.js';
import { COMMUNE_PATTERN } from '../../../protocol/wire.js';
import { ErrorCode, HttpError } from '../../errors.js';
import type { AlertConfig } from '../../alerts/alert-config.js';
import type { WebData } from '../web-data.js';
import { adminOpsPages } from './admin-ops.js';
import { bad, csrfField, flash, takeFlash } from './admin-form.js';

/** The role check of role-input.ts, as a 400 on the page. */
export function roleInput(
  role: string | undefined,
  services: string | undefined,
): { role: Role; services: string[] | undefined } {
  try {
    return checkRole(role, parseServiceList(services));
  } catch (err) {
    throw bad((err as Error).message);
  }
}

/** Status and a revoke button, for rows that can be revoked (API keys, agent tokens). */
function revocable<R extends { id: number; revokedAt: number | null }>(
  ctx: PageContext,
  base: string,
): Array<Column<R>> {
  const { t } = ctx;
  return [
    { head: 'status', value: (r) => (r.revokedAt ? t('revoked') : t('active')) },
    {
      head: 'actions',
      value: () => null,
      show: (r) => {
        if (r.revokedAt) return '';
        const button = html`<button class="danger">${t('revoke')}</button>`;
        return html`<form method="post" action="${base}/${r.id}/revoke">${csrfField(ctx)}${button}</form>`;
      },
    },
  ];
}

/** A secret just created, shown this once. */
function secretOnce(ctx: PageContext, secret: string | undefined): Html | string {
  return secret ? html`<div class="ok">${ctx.t('secret_once')}<br><code>${secret}</code></div>` : '';
}

function roleSelect(ctx: PageContext): Html {
  return html`<select name="role">${ROLES.map((r) => html`<option value="${r}">${ctx.t(`role_${r}`)}</option>`)}</select>`;
}

export function adminPages(app: FastifyInstance, deps: PageDeps, data: WebData, alerts: AlertConfig): void {
  const { store } = data;
  const admin = ['admin'] as const;

  registerPage(app, deps, '/admin', admin, (ctx) => {
    const { t } = ctx;
    const links: Array<[string, Parameters<typeof t>[0], Parameters<typeof t>[0]]> = [
      ['/admin/users', 'admin_users', 'admin_users_about'],
      ['/admin/keys', 'admin_keys', 'admin_keys_about'],
      ['/admin/agents', 'admin_agents', 'admin_agents_about'],
      ['/admin/maintenance', 'admin_maintenance', 'admin_maintenance_about'],
      ['/admin/calendar', 'admin_calendar', 'admin_calendar_about'],
      ['/admin/config', 'admin_config', 'admin_config_about'],
    ];
    const rows = links.map(
      ([href, k, about]) => html`<tr><th><a href="${href}">${t(k)}</a></th><td>${t(about)}</td></tr>`,
    );
    return { title: t('nav_admin'), body: html`<div class="box"><table>${rows}</table></div>` };
  });

  registerPage(app, deps, '/admin/users', admin, (ctx, request, reply) => {
    const { t, fmt } = ctx;
    const table: TableSpec<User> = {
      id: 'users',
      file: 'nguoi-dung',
      sheet: 'admin_users',
      rows: store.users.list(),
      columns: [
        { head: 'username', value: (u) => u.username },
        { head: 'display_name', value: (u) => u.displayName },
        { head: 'role', value: (u) => t(`role_${u.role}`) },
        { head: 'services', value: (u) => (u.services ?? []).join(', ') },
        { head: 'last_login', value: (u) => fmt.dateTime(u.lastLoginAt) },
        { head: 'status', value: (u) => (u.disabledAt ? t('disabled') : t('active')) },
        {
          head: 'actions',
          value: () => null,
          show: (u) => {
            const action = u.disabledAt ? 'enable' : 'disable';
            const tone = u.disabledAt ? 'primary' : 'danger';
            const toggle = html`<button class="${tone}">${u.disabledAt ? t('enable') : t('disable')}</button>`;
            const password = [
              html`<input type="password" name="password" placeholder="${t('new_password')}"`,
              html` autocomplete="new-password" required minlength="10">`,
            ];
            const setPassword = html`<button class="primary">${t('set_password')}</button>`;
            return html`<form method="post" action="/admin/users/${u.id}/${action}">${csrfField(ctx)}${toggle}</form>
<form method="post" action="/admin/users/${u.id}/password">${csrfField(ctx)}${password} ${setPassword}</form>`;
          },
        },
      ],
    };
    const note = takeFlash(request, reply, '/admin/users');
    const body = html`${note ? html`<div class="ok">${note}</div>` : ''}${renderTable(ctx, table)}
<h2>${t('add_user')}</h2>
<form class="filters" method="post" action="/admin/users">${csrfField(ctx)}
<label>${t('username')}<input name="username" required pattern="${USERNAME_PATTERN.slice(1, -1)}"></label>
<label>${t('display_name')}<input name="displayName"></label>
<label>${t('role')}${roleSelect(ctx)}</label>
<label>${t('services_vendor')}<input name="services" placeholder="e-signing, payment"></label>
<label>${t('password')}<input name="password" type="password" required minlength="10" autocomplete="new-password"></label>
<button class="primary">${t('add')}</button></form>`;
    return { title: t('admin_users'), body, tables: [table] };
  });

  registerAction<{ username?: string; displayName?: string; role?: string; services?: string; password?: string }>(
    app,
    '/admin/users',
    admin,
    async (request, body, reply) => {
      const username = (body.username ?? '').trim().toLowerCase();
      if (!new RegExp(USERNAME_PATTERN).test(username))
        throw bad('user names are 2–64 lower-case letters, digits, dot, dash or underscore');
      if (store.users.byName(username)) throw bad(`a user "${username}" already exists`);
      const { role, services } = roleInput(body.role, body.services);
      const problem = passwordProblem(body.password ?? '', username);
      if (problem) throw bad(problem);
      store.users.create({
        username,
        displayName: body.displayName?.trim() || username,
        role,
        services,
        passwordHash: await hashPassword(body.password!),
        now: deps.now(),
      });
      request.log.info({ by: request.principal!.name, username, role }, 'user created');
      flash(reply, '/admin/users', `✓ ${username}`);
      return '/admin/users';
    },
  );

  const userAction = (action: 'disable' | 'enable' | 'password') =>
    registerAction<{ password?: string }>(app, `/admin/users/:id/${action}`, admin, async (request, body, reply) => {
      const user = store.users.get(Number((request.params as { id: string }).id));
      if (!user) throw new HttpError(404, ErrorCode.NOT_FOUND, 'no such user');
      if (action === 'password') {
        const problem = passwordProblem(body.password ?? '', user.username);
        if (problem) throw bad(problem);
        store.users.setPassword(user.id, await hashPassword(body.password!));
      } else {
        // The last active admin cannot lock everyone out.
        if (action === 'disable' && user.role === 'admin' && user.disabledAt === null && store.users.countAdmins() <= 1)
          throw bad('this is the last active admin');
        store.users.setDisabled(user.id, action === 'disable', deps.now());
      }
      request.log.info({ by: request.principal!.name, user: user.username, action }, 'user changed');
      flash(reply, '/admin/users', `✓ ${user.username}`);
      return '/admin/users';
    });
  userAction('disable');
  userAction('enable');
  userAction('password');

  registerPage(app, deps, '/admin/keys', admin, (ctx, request, reply) => {
    const { t, fmt } = ctx;
    const table: TableSpec<ApiTokenRow> = {
      id: 'keys',
      file: 'khoa-api',
      sheet: 'admin_keys',
      rows: store.apiTokens.list(),
      columns: [
        { head: 'name', value: (k) => k.name },
        { head: 'role', value: (k) => t(`role_${k.role}`) },
        { head: 'services', value: (k) => (k.services ?? []).join(', ') },
        { head: 'created', value: (k) => fmt.dateTime(k.createdAt) },
        { head: 'last_used', value: (k) => fmt.dateTime(k.lastUsedAt) },
        ...revocable<ApiTokenRow>(ctx, '/admin/keys'),
      ],
    };
    const body = html`${secretOnce(ctx, takeFlash(request, reply, '/admin/keys'))}${renderTable(ctx, table)}
<h2>${t('add_key')}</h2>
<form class="filters" method="post" action="/admin/keys">${csrfField(ctx)}
<label>${t('name')}<input name="name" required maxlength="100"></label>
<label>${t('role')}${roleSelect(ctx)}</label>
<label>${t('services_vendor')}<input name="services" placeholder="e-signing, payment"></label>
<button class="primary">${t('add')}</button></form>`;
    return { title: t('admin_keys'), body, tables: [table] };
  });

  registerAction<{ name?: string; role?: string; services?: string }>(
    app,
    '/admin/keys',
    admin,
    (request, body, reply) => {
      const name = (body.name ?? '').trim();
      if (!name || name.length > 100) throw bad('a key needs a name (who or what uses it), at most 100 characters');
      const { role, services } = roleInput(body.role, body.services);
      const { token } = store.apiTokens.create({ name, role, services, now: deps.now() });
      request.log.info({ by: request.principal!.name, name, role }, 'API key created');
      flash(reply, '/admin/keys', token);
      return '/admin/keys';
    },
  );

  registerAction(app, '/admin/keys/:id/revoke', admin, (request) => {
    if (!store.apiTokens.revoke(Number((request.params as { id: string }).id), deps.now()))
      throw new HttpError(404, ErrorCode.NOT_FOUND, 'no such active key');
    return '/admin/keys';
  });

  registerPage(app, deps, '/admin/agents', admin, (ctx, request, reply) => {
    const { t, fmt } = ctx;
    const table: TableSpec<AgentSummary> = {
      id: 'agents',
      file: 'agent',
      sheet: 'agents',
      rows: store.listAgents(),
      pageSize: 200,
      columns: [
        {
          head: 'commune',
          value: (a) => a.commune,
          show: (a) => html`<a href="/communes/${encodeURIComponent(a.commune)}">${data.communeName(a.commune)}</a>`,
        },
        { head: 'agent', value: (a) => a.name },
        { head: 'created', value: (a) => fmt.dateTime(a.createdAt) },
        { head: 'last_push', value: (a) => fmt.dateTime(a.lastPushAt) },
        { head: 'version', value: (a) => a.lastStatus?.version ?? '' },
        { head: 'outbox_pending', num: true, value: (a) => a.lastStatus?.outboxPending ?? null },
        ...revocable<AgentSummary>(ctx, '/admin/agents'),
      ],
    };
    const body = html`${secretOnce(ctx, takeFlash(request, reply, '/admin/agents'))}${renderTable(ctx, table)}
<h2>${t('add_agent')}</h2>
<form class="filters" method="post" action="/admin/agents">${csrfField(ctx)}
<label>${t('commune')}<input name="commune" required pattern="${COMMUNE_PATTERN.slice(1, -1)}" size="8"></label>
<label>${t('name')}<input name="name" required maxlength="100" placeholder="may-mot-cua-1"></label>
<button class="primary">${t('add')}</button></form>`;
    return { title: t('admin_agents'), body, tables: [table] };
  });

  registerAction<{ commune?: string; name?: string }>(app, '/admin/agents', admin, (request, body, reply) => {
    const commune = data.units.canonical((body.commune ?? '').trim());
    const name = (body.name ?? '').trim();
    if (!new RegExp(COMMUNE_PATTERN).test(commune)) throw bad('commune must be the commune code (digits)');
    if (!name || name.length > 100) throw bad('an agent needs a name, at most 100 characters');
    const { token } = createAgentToken(store, { commune, name, now: deps.now() });
    request.log.info({ by: request.principal!.name, commune, name }, 'agent token created');
    flash(reply, '/admin/agents', token);
    return '/admin/agents';
  });

  registerAction(app, '/admin/agents/:id/revoke', admin, (request) => {
    if (!store.revokeAgent(Number((request.params as { id: string }).id), deps.now()))
      throw new HttpError(404, ErrorCode.NOT_FOUND, 'no such active agent');
    return '/admin/agents';
  });

  adminOpsPages(app, deps, data, alerts);
}
