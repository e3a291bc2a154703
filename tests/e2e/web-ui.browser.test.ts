/**
 * The built-in web UI in a real browser (Debian's chromium through playwright-core, headless, 1366×768):
 * a real server on an ephemeral port over a temp SQLite file, seeded through the real ingest API by six
 * commune agents — two weeks of history (e-signing congested at 8–11 h on weekdays, a civil-status
 * outage on the last working day) and the last 40 minutes, in which e-signing fails at three communes (one central
 * incident), civil-status at one (a local incident) and one commune loses its uplink (a commune-network
 * incident) — plus PC health and inventory (one PC without a chip reader, one old Windows 10 PC), overdue
 * dossiers and a webhook receiver that gets the alerts.
 *
 * Each role logs in through the form: the overview (open incidents first, the commune × service grid),
 * an incident with its evidence (and the notifications sent, for the province's staff), the language
 * switch, a CSV export, what a vendor may not open (UI and API with the same session), and logout. Prints
 * the bytes the first (cold-cache) load of the overview transfers; the budget is 250 KB compressed.
 *
 * Screenshots of every page visited go to test-artifacts/screenshots/ at the repository root (ignored
 * by git). On CI (CI=true) a missing chromium is a failure: .ci/run installs it. Elsewhere it is skipped.
 * Real time throughout: the server's clock is Date.now() and the results are stamped relative to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import type { RunningServer } from '../../server/main.js';
import type { Incident } from '../../server/outages/incident.js';
import type { ProbeResult } from '../../protocol/wire.js';
import { hashPassword } from '../../server/auth/passwords.js';
import { registerAgent, startTestServer, testServerConfig } from '../helpers/start-server.js';
import { startRecorder, type Recorder } from '../helpers/recorder.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import {
  MIN,
  HOUR,
  DAY,
  C,
  E_SIGNING_DOWN,
  CIVIL_DOWN,
  UPLINK_DOWN,
  NO_READER,
  OLD_PC,
  CIVIL_EARLIER,
  TARGETS,
  local,
  vnDate,
  vnMidnight,
  CommuneAgent,
  historyOutcome,
  currentOutcome,
  healthOf,
  inventoryOf,
  PASSWORD,
  USERNAME,
} from './web-ui-scenario.js';

const CHROMIUM = '/usr/bin/chromium';
const ON_CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && !ON_CI) console.warn(`skipped: ${CHROMIUM} not installed (apt-get install -y chromium)`);

const SHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
const UNITS_FIXTURE = fileURLToPath(new URL('../fixtures/units/units.yaml', import.meta.url));
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const BUDGET_BYTES = 250 * 1024;

describe.skipIf(!HAVE_CHROMIUM && !ON_CI)('web UI in a browser (chromium)', () => {
  let dir: ReturnType<typeof tempDir> | undefined;
  let server: RunningServer | undefined;
  let hooks: Recorder | undefined;
  let browser: Browser | undefined;
  let now = 0;
  /** Local midnight of the last working day before today: the earlier civil-status outage. */
  let outageDay = 0;
  let lateDossiers: string[] = [];
  const shots: string[] = [];
  const problems: string[] = [];
  /** The incidents of the scenario (the first three open, the last one ended). */
  const incident: { eSigning?: Incident; civil?: Incident; network?: Incident; civilEarlier?: Incident } = {};

  const url = (path: string) => `${server!.url}${path}`;

  async function shot(page: Page, name: string): Promise<void> {
    const file = join(SHOTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (!shots.includes(file)) shots.push(file);
  }

  async function newContext(
    viewport = DESKTOP,
    storageState?: Awaited<ReturnType<BrowserContext['storageState']>>,
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser!.newContext({
      viewport,
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
      ...(storageState && { storageState }),
    });
    const page = await context.newPage();
    // Page-side failures (CSP violations, script errors) are collected and must stay empty; the 403/404
    // pages this test opens on purpose log "Failed to load resource", which is expected.
    page.on('console', (m) => {
      if (
        m.type() === 'error' &&
        !/Failed to load resource: the server responded with a status of 40[34]/.test(m.text())
      )
        problems.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    return { context, page };
  }

  async function login(page: Page, role: keyof typeof USERNAME): Promise<void> {
    const res = await page.goto(url('/'));
    // Not logged in: the overview sends the browser to the login form, which brings it back afterwards.
    expect(page.url()).toBe(url('/login?next=%2F'));
    expect(res!.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    if (role === 'admin') await shot(page, 'login-vi');
    await page.locator('input[name=username]').fill(USERNAME[role]);
    await page.locator('input[name=password]').fill(PASSWORD[role]);
    await Promise.all([page.waitForURL(url('/')), page.getByRole('button', { name: 'Đăng nhập' }).click()]);
    await expect.poll(() => page.locator('header .me span').innerText()).toContain(USERNAME[role]);
  }

  /** Logs out with the header button; the session cookie it had must open nothing any more. */
  async function logoutAndCheck(page: Page): Promise<void> {
    await page.goto(url('/'));
    const cookie = (await page.context().cookies()).find((c) => c.name === 'cw_session');
    expect(cookie).toBeDefined();
    await Promise.all([page.waitForURL(/\/login$/), page.locator('header form[action="/logout"] button').click()]);
    expect(await page.locator('form.login h1').innerText()).toBe('CommuneWatch');
    expect((await page.context().cookies()).find((c) => c.name === 'cw_session')).toBeUndefined();
    const old = `cw_session=${cookie!.value}`;
    const home = await fetch(url('/'), { headers: { cookie: old }, redirect: 'manual' });
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/login?next=%2F');
    const api = await fetch(url('/api/v1/incidents'), { headers: { cookie: old } });
    expect(api.status).toBe(401);
    // And the browser itself, back on the overview, lands on the login form.
    await page.goto(url('/'));
    expect(page.url()).toBe(url('/login?next=%2F'));
  }

  /** Text of the header navigation links. */
  const navLinks = (page: Page) => page.locator('header nav a').allInnerTexts();
  /** Rows of a table as lists of cell texts. */
  const rows = async (page: Page, table: string) => {
    const out: string[][] = [];
    for (const tr of await page.locator(`table#${table} tbody tr`).all())
      out.push(await tr.locator('td').allInnerTexts());
    return out;
  };

  /** Local midnight of the last working day before today, from the server's calendar API. */
  async function lastWorkingDay(key: string, commune: string): Promise<number> {
    const rules = new Map<string, string>();
    const years = new Set([local(now).date.getUTCFullYear(), local(now - 12 * DAY).date.getUTCFullYear()]);
    for (const year of years) {
      const res = await fetch(url(`/api/v1/calendar?year=${year}&commune=${commune}`), {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status).toBe(200);
      for (const d of ((await res.json()) as { days: Array<{ date: string; kind: string }> }).days)
        rules.set(d.date, d.kind);
    }
    for (let back = 1; back <= 12; back++) {
      const day = vnMidnight(now, back);
      const { weekday, date } = local(day);
      const kind = rules.get(date.toISOString().slice(0, 10));
      if (kind === 'work' || (kind !== 'off' && weekday >= 1 && weekday <= 5)) return day;
    }
    throw new Error('no working day in the last 12 days (Tết?): the scenario needs one within the seeded history');
  }

  beforeAll(async () => {
    if (!HAVE_CHROMIUM)
      throw new Error(`${CHROMIUM} is missing: .ci/run must apt-get install chromium for this browser test`);
    mkdirSync(SHOTS, { recursive: true });
    dir = tempDir('cw-web-ui-');
    hooks = await startRecorder();

    // Units: the fixture's communes plus three more in Lào Cai.
    const units = parseYaml(readFileSync(UNITS_FIXTURE, 'utf8')) as {
      provinces: Array<{ code: string; communes?: Array<{ code: string; name: string }> }>;
    };
    units.provinces
      .find((p) => p.code === '15')!
      .communes!.push(
        { code: C[3], name: 'Xã Bát Xát' },
        { code: C[4], name: 'Xã Mường Khương' },
        { code: C[5], name: 'Phường Sa Pa' },
      );
    const unitsFile = join(dir.path, 'units.yaml');
    writeFileSync(unitsFile, stringifyYaml(units));

    const dataDir = join(dir.path, 'data');
    const base = testServerConfig(dataDir);
    server = await startTestServer(dataDir, {
      units: unitsFile,
      // The test must never race the silence timer: pushes come only while seeding.
      incidents: { ...base.incidents, agentSilent: { ...base.incidents.agentSilent, afterIntervals: 60 } },
      alerts: {
        ...base.alerts,
        baseUrl: 'https://giamsat.laocai.example.gov.vn',
        receivers: [{ name: 'so-khcn', webhook: [{ url: `${hooks.url}/hook`, timeoutMs: 5000 }] }],
        route: { receiver: 'so-khcn', groupWaitSec: 0 },
        delivery: { ...base.alerts.delivery, tickSec: 1 },
      },
      dossiers: {
        ...base.dossiers,
        vendors: [
          { name: 'VNPT', services: ['one-stop-shop', 'e-signing'] },
          { name: 'Bộ Tư pháp', services: ['civil-status'] },
        ],
      },
    });

    // ------------------------------------------------------------------ seeding, through the ingest API
    now = Math.floor(Date.now() / MIN) * MIN;
    const key = server.store.apiTokens.create({ name: 'motcua-sync', role: 'admin', now }).token;
    // The earlier civil-status outage and its late dossier fall on the last working day of the commune's
    // calendar (the shipped national one), whatever day the test runs on.
    outageDay = await lastWorkingDay(key, CIVIL_EARLIER);
    const agents = C.map((c) => new CommuneAgent(server!.url, c, registerAgent(server!, c, `ubnd-${c}`)));
    const currentFrom = now - 40 * MIN;
    // History: a day per batch and commune, as an agent catching up would send it.
    const historyFrom = Math.floor((now - 14 * DAY) / (30 * MIN)) * 30 * MIN;
    for (const [index, agent] of agents.entries()) {
      let batch: ProbeResult[] = [];
      for (let ts = historyFrom; ts < currentFrom; ts += 30 * MIN) {
        for (const t of TARGETS)
          batch.push(agent.result(t, ts, historyOutcome(agent.commune, index, t, ts, outageDay)));
        if (batch.length >= 48 * TARGETS.length) {
          await agent.push({ results: batch });
          batch = [];
        }
      }
      if (batch.length) await agent.push({ results: batch });
    }
    // The last 40 minutes: a round a minute from every commune, with health and inventory in the first.
    for (let round = 0; round < 40; round++) {
      const ts = currentFrom + round * MIN;
      for (const agent of agents) {
        const results = TARGETS.map((t) => agent.result(t, ts + 200, currentOutcome(agent.commune, t, round)));
        if (round === 0) {
          const old = agent.commune === OLD_PC;
          await agent.push({
            results,
            health: [healthOf(agent, ts, old)],
            inventory: [inventoryOf(agent, ts, { old, reader: agent.commune !== NO_READER })],
          });
        } else await agent.push({ results });
      }
    }
    // Those rounds arrive late, as an agent's backlog: one live round shows each commune has caught up
    // (the server holds a commune's alerts until then).
    for (const agent of agents)
      await agent.push({
        results: TARGETS.map((t) => agent.result(t, Date.now(), currentOutcome(agent.commune, t, 39))),
      });

    // Dossiers, as the province's one-stop-shop exports them, imported with an admin API key.
    const code = (ts: number, n: string) =>
      `000.00.15.H37-${vnDate(ts).slice(8, 10)}${vnDate(ts).slice(3, 5)}${vnDate(ts).slice(0, 2)}-${n}`;
    const day = outageDay;
    const records = [
      // Received at 08:00, due at 10:00, returned at 15:00: late, while civil-status was down 09:00–10:30.
      {
        MaHoSo: code(day, '0012'),
        TenTTHC: 'Đăng ký khai sinh',
        TenLinhVuc: 'Hộ tịch',
        DonViXuLy: CIVIL_EARLIER,
        KenhTiepNhan: 'Trực tiếp',
        NgayTiepNhan: vnDate(day + 8 * HOUR),
        NgayHenTra: vnDate(day + 10 * HOUR),
        NgayTra: vnDate(day + 15 * HOUR),
      },
      // A land dossier due before that working day and still open: late, with no outage behind it.
      {
        MaHoSo: code(day - 5 * DAY, '0031'),
        TenTTHC: 'Đăng ký biến động đất đai',
        TenLinhVuc: 'Đất đai',
        DonViXuLy: CIVIL_DOWN,
        KenhTiepNhan: 'Trực tuyến',
        NgayTiepNhan: vnDate(day - 5 * DAY + 8 * HOUR),
        NgayHenTra: vnDate(day - 2 * DAY + 17 * HOUR),
        NgayTra: null,
      },
      // Not due yet.
      {
        MaHoSo: code(day, '0013'),
        TenTTHC: 'Đăng ký kết hôn',
        TenLinhVuc: 'Hộ tịch',
        DonViXuLy: C[0],
        KenhTiepNhan: 'Trực tiếp',
        NgayTiepNhan: vnDate(day + 9 * HOUR),
        NgayHenTra: vnDate(vnMidnight(now) + 3 * DAY + 17 * HOUR),
        NgayTra: null,
      },
      // Returned on time.
      {
        MaHoSo: code(day, '0007'),
        TenTTHC: 'Chứng thực bản sao từ bản chính',
        TenLinhVuc: 'Chứng thực',
        DonViXuLy: NO_READER,
        KenhTiepNhan: 'Trực tiếp',
        NgayTiepNhan: vnDate(day + 8 * HOUR),
        NgayHenTra: vnDate(day + 16 * HOUR),
        NgayTra: vnDate(day + 11 * HOUR),
      },
    ];
    lateDossiers = [records[0]!.MaHoSo, records[1]!.MaHoSo].sort();
    const imported = await fetch(url('/api/v1/dossiers'), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'motcua-laocai', records }),
    });
    expect(imported.status, await imported.clone().text()).toBe(200);
    expect(await imported.json()).toMatchObject({ status: 'imported', inserted: records.length });

    // People who log in: created in the store, as `communewatch user create` does.
    const users = server.store.users;
    users.create({
      username: USERNAME.admin,
      displayName: 'Phòng CNTT Sở KH&CN',
      role: 'admin',
      passwordHash: await hashPassword(PASSWORD.admin),
      now,
    });
    users.create({
      username: USERNAME.viewer,
      displayName: 'Chủ tịch UBND',
      role: 'viewer',
      passwordHash: await hashPassword(PASSWORD.viewer),
      now,
    });
    users.create({
      username: USERNAME.vendor,
      displayName: 'Bộ Tư pháp (hộ tịch)',
      role: 'vendor',
      services: ['civil-status'],
      passwordHash: await hashPassword(PASSWORD.vendor),
      now,
    });

    const all = server.store.incidents.list({ limit: 1000 }).filter((i) => i.mergedInto === null);
    incident.eSigning = all.find((i) => i.cause === 'central-service' && i.service === 'e-signing');
    incident.civil = all.find((i) => i.cause === 'local-service' && i.service === 'civil-status' && i.endedAt === null);
    incident.network = all.find((i) => i.cause === 'commune-network');
    incident.civilEarlier = all.find(
      (i) => i.cause === 'local-service' && i.service === 'civil-status' && i.endedAt !== null,
    );

    // The alert webhook got every open incident: wait for the notifications the incident page lists.
    for (const i of [incident.eSigning, incident.civil, incident.network]) {
      if (!i) continue;
      await waitFor(
        `a sent notification for incident #${i.id}`,
        () => server!.store.alerts.listNotifications({ incidentId: i.id, limit: 10 }).map((n) => n.status),
        (s) => s.includes('sent'),
      );
    }

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });

  afterAll(async () => {
    // Each step on its own: one failing must not leave the others running.
    await browser?.close().catch((err: unknown) => console.warn('closing chromium failed', err));
    await server?.close().catch((err: unknown) => console.warn('closing the server failed', err));
    await hooks?.close().catch((err: unknown) => console.warn('closing the webhook recorder failed', err));
    dir?.remove();
    if (shots.length)
      console.log(
        `web UI screenshots (${shots.length}) in ${SHOTS}:\n  ${shots.map((s) => s.slice(SHOTS.length)).join('\n  ')}`,
      );
  });

  it('the seeded results opened the incidents the scenario describes', () => {
    const all = server!.store.incidents.list({ limit: 1000 });
    expect(incident.eSigning).toMatchObject({ scope: 'central', severity: 'down', endedAt: null, layer: 'service' });
    expect(incident.eSigning!.communes.map((c) => c.commune).sort()).toEqual([...E_SIGNING_DOWN].sort());
    expect(incident.civil).toMatchObject({ commune: CIVIL_DOWN, target: 'hotich', severity: 'down', endedAt: null });
    expect(incident.network).toMatchObject({ commune: UPLINK_DOWN, layer: 'uplink', endedAt: null });
    expect(incident.civilEarlier).toMatchObject({
      commune: CIVIL_EARLIER,
      startedAt: outageDay + 9 * HOUR,
      endedAt: outageDay + 10.5 * HOUR,
    });
    // Nothing else: the peak-hour timeouts of e-signing were never three in a row.
    const counted = all.filter((i) => i.mergedInto === null);
    expect(counted).toHaveLength(4);
    expect(
      all
        .filter((i) => i.mergedInto !== null)
        .every((i) => i.mergedInto === incident.eSigning!.id && i.service === 'e-signing'),
    ).toBe(true);
    expect(hooks!.requests.filter((r) => r.url === '/hook').length).toBeGreaterThanOrEqual(3);
  });

  it(
    'admin: overview with open incidents first and the grid, an incident with evidence and ' +
      'notifications, English, CSV, every page',
    async () => {
      const { context, page } = await newContext();
      await login(page, 'admin');
      expect(await navLinks(page)).toEqual([
        'Tổng quan',
        'Sự cố',
        'Dịch vụ',
        'Hồ sơ trễ hạn',
        'Lỗi phía người dùng',
        'Thiết bị',
        'Quản trị',
      ]);
      expect(await page.locator('h1').innerText()).toBe('Tổng quan');

      // Open incidents first: the first section after the summary cards, before the grid, down incidents by start.
      expect(await page.locator('main h2').first().innerText()).toBe('Sự cố đang diễn ra');
      expect(
        await page.evaluate(
          "document.querySelector('table#open').compareDocumentPosition(document.querySelector('table#grid')) " +
            '& Node.DOCUMENT_POSITION_FOLLOWING',
        ),
      ).toBeTruthy();
      const open = await rows(page, 'open');
      expect(open.map((r) => r[0])).toEqual(
        [incident.civil, incident.eSigning, incident.network].map((i) => `#${i!.id}`),
      );
      expect(open[1]).toEqual(
        expect.arrayContaining([
          'Dịch vụ trung tâm (nhiều xã)',
          'Ký số',
          'Xã Bảo Hà (26734), Phường Yên Bái (26737), Xã Một (99001)',
          'Đang diễn ra',
        ]),
      );
      expect(await page.locator('.card', { hasText: 'Sự cố đang diễn ra' }).locator('b').innerText()).toBe('3');

      // The grid: a row per commune, worst first; a column per service class; state badges in the cells.
      const heads = await page.locator('table#grid thead th').allInnerTexts();
      expect(heads.slice(0, 2)).toEqual(['Xã', 'Mạng của xã']);
      expect(heads.slice(2)).toEqual([
        'Hộ tịch',
        'Ký số',
        'Một cửa điện tử',
        '30 ngày (giờ làm việc)',
        'Mạng của xã, 30 ngày',
      ]);
      const cellClass = (commune: string, col: number) =>
        page
          .locator('table#grid tbody tr', { hasText: `(${commune})` })
          .locator('td')
          .nth(col)
          .locator('span.s')
          .getAttribute('class');
      expect(await page.locator('table#grid tbody tr').count()).toBe(C.length);
      expect(await cellClass(UPLINK_DOWN, 1)).toBe('s s-network');
      expect(await cellClass(UPLINK_DOWN, 3)).toBe('s s-network'); // its services cannot be judged from there
      expect(await cellClass(CIVIL_DOWN, 2)).toBe('s s-down');
      expect(await cellClass(C[0], 3)).toBe('s s-down');
      expect(await cellClass(NO_READER, 1)).toBe('s s-up');
      expect(await cellClass(NO_READER, 3)).toBe('s s-up');
      expect(await page.locator('table#grid tbody tr').last().innerText()).toContain(`(${NO_READER})`); // the healthy one last
      expect(await page.locator('table#grid span.s-up').first().innerText()).toBe('✓');
      // Names come from the units file.
      expect(await page.locator('table#grid').innerText()).toContain('Xã Bảo Hà (26734)');
      await shot(page, 'overview-admin-vi');

      // CSV export of the open incidents: UTF-8 with a BOM (Excel), bilingual headers, the rows.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('a[href="/?export=csv&table=open"]').click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^su-co-dang-mo-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = readFileSync((await download.path())!);
      expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = csv.subarray(3).toString('utf8').trim().split(/\r?\n/);
      expect(lines[0]!.split(',').slice(0, 4)).toEqual([
        'Sự cố / Incident',
        'Mức độ / Severity',
        'Nguyên nhân / Cause',
        'Dịch vụ / Service',
      ]);
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(
        [incident.civil, incident.eSigning, incident.network].map((i) => String(i!.id)),
      );

      // Follow the central e-signing incident from the overview to its page.
      await Promise.all([
        page.waitForURL(url(`/incidents/${incident.eSigning!.id}`)),
        page
          .locator('table#open tr', { hasText: 'Ký số' })
          .locator(`a[href="/incidents/${incident.eSigning!.id}"]`)
          .click(),
      ]);
      expect(await page.locator('h1').innerText()).toBe(`Sự cố #${incident.eSigning!.id}`);
      const evidence = await rows(page, 'evidence');
      expect(evidence.length).toBeGreaterThanOrEqual(3);
      const failing = evidence.filter((r) => r[3] === 'Lỗi');
      expect(failing.length).toBeGreaterThanOrEqual(3);
      expect(new Set(failing.map((r) => r[5]))).toEqual(new Set(['CW_ERR_PROBE_TIMEOUT']));
      expect(new Set(failing.map((r) => r[1]))).toEqual(new Set(E_SIGNING_DOWN));
      expect(failing.every((r) => r[2] === 'ky-so-ocsp')).toBe(true);
      const sent = await rows(page, 'notifications');
      expect(sent.length).toBeGreaterThanOrEqual(1);
      expect(sent[0]).toEqual(expect.arrayContaining(['so-khcn', 'webhook', 'Đã gửi']));
      expect(await page.getByRole('button', { name: 'Tiếp nhận xử lý' }).count()).toBe(1); // admins acknowledge
      await shot(page, 'incident-e-signing-admin');

      // English, remembered across pages, then back to Vietnamese.
      await page.goto(url('/'));
      await Promise.all([page.waitForURL(url('/?lang=en')), page.locator('header a[hreflang=en]').click()]);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await page.locator('h1').innerText()).toBe('Overview');
      expect(await page.locator('main h2').first().innerText()).toBe('Open incidents');
      expect(await navLinks(page)).toEqual([
        'Overview',
        'Incidents',
        'Services',
        'Overdue dossiers',
        'User-side errors',
        'Equipment',
        'Administration',
      ]);
      expect(await page.locator('table#grid thead th').nth(1).innerText()).toBe('Commune network');
      expect(await page.locator('header form button').innerText()).toBe('Log out');
      await shot(page, 'overview-admin-en');
      await page.goto(url(`/incidents/${incident.civil!.id}`));
      expect(await page.locator('h1').innerText()).toBe(`Incident #${incident.civil!.id}`);
      expect(await page.locator('main h2', { hasText: 'Notifications' }).count()).toBe(1);
      await Promise.all([
        page.waitForURL(url(`/incidents/${incident.civil!.id}?lang=vi`)),
        page.locator('header a[hreflang=vi]').click(),
      ]);
      expect(await page.locator('html').getAttribute('lang')).toBe('vi');
      expect(await page.locator('h1').innerText()).toBe(`Sự cố #${incident.civil!.id}`);
      expect((await rows(page, 'evidence')).filter((r) => r[3] === 'Lỗi').map((r) => r[5])).toContain(
        'CW_ERR_PROBE_HTTP_STATUS',
      );
      await shot(page, 'incident-civil-status-admin');

      // The other pages, each with a screenshot.
      await page.goto(url('/incidents'));
      expect(await page.locator('h1').innerText()).toBe('Sự cố');
      expect((await rows(page, 'incidents')).map((r) => r[0])).toEqual(
        expect.arrayContaining(
          [incident.eSigning, incident.civil, incident.network, incident.civilEarlier].map((i) => `#${i!.id}`),
        ),
      );
      await shot(page, 'incidents');

      await page.goto(url(`/communes/${UPLINK_DOWN}`));
      expect(await page.locator('h1').innerText()).toBe(`Xã Mường Khương (${UPLINK_DOWN})`);
      // The lost uplink in the targets table: failing, on the uplink layer, with the probe's error.
      const uplink = (await rows(page, 'targets')).find((r) => r[0] === 'path-uplink')!;
      expect(uplink).toEqual(
        expect.arrayContaining(['!', 'Mất kết nối Internet tại xã', 'CW_ERR_PROBE_ICMP_NO_REPLY']),
      );
      expect(uplink.join(' ')).toContain('no reply from 203.162.4.190');
      await page.locator('.chart .uplot').waitFor(); // the latency/loss chart was drawn by uPlot
      // Its legend is page text like any other: Vietnamese on a Vietnamese page, 24-hour Vietnam times.
      expect(
        await page.locator('.chart .u-legend .u-series').first().innerText(),
        'chart legend of the time column',
      ).toMatch(/^Thời điểm/);
      expect(await page.locator('.chart .u-axis').first().innerText()).not.toMatch(/am|pm/i);
      expect(await rows(page, 'pcs')).toHaveLength(1);
      await shot(page, `commune-${UPLINK_DOWN}`);

      await page.goto(url('/services/e-signing'));
      expect(await page.locator('h1').innerText()).toBe('Ký số');
      await checkPeakBand(page);
      expect((await rows(page, 'tls'))[0]).toEqual(expect.arrayContaining(['ky-so-ocsp', '9'])); // renews in 10 days: red
      await shot(page, 'service-e-signing-heatmap');

      await page.goto(url('/services'));
      expect((await rows(page, 'services')).map((r) => r[1])).toEqual(['civil-status', 'e-signing', 'one-stop-shop']);
      await shot(page, 'services');

      await page.goto(url('/dossiers'));
      expect(await page.locator('h1').innerText()).toBe('Hồ sơ trễ hạn');
      const late = await rows(page, 'dossiers');
      expect(late.map((r) => r[0]).sort()).toEqual(lateDossiers);
      // The summary cards count every dossier due in the period; the verdict filter only picks the list.
      const card = async (label: RegExp) =>
        Number(await page.locator('.card', { hasText: label }).locator('b').innerText());
      expect(await card(/^Hồ sơ đến hạn trong kỳ/)).toBeGreaterThan(await card(/^Trễ hạn/));
      expect(await card(/^Trễ hạn/)).toBe(lateDossiers.length);
      await shot(page, 'dossiers');

      await page.goto(url('/equipment'));
      expect(await page.locator('h1').innerText()).toBe('Thiết bị');
      const pcs = await rows(page, 'pcs');
      expect(pcs).toHaveLength(C.length);
      expect(pcs.find((r) => r[0]!.includes(NO_READER))!.at(-2)).toBe('Thiếu đầu đọc thẻ chip');
      expect(pcs.find((r) => r[0]!.includes(OLD_PC))!.at(-2)).toContain('Hệ điều hành');
      await shot(page, 'equipment');

      await page.goto(url('/admin'));
      expect(await page.locator('h1').innerText()).toBe('Quản trị');
      await shot(page, 'admin');

      // Dogfooding: the UI's own pages report through /rum.js (app communewatch-ui) and the collector took it.
      await waitFor(
        "the UI's own RUM batches accepted",
        async () =>
          (await (await fetch(url('/metrics'))).text()).match(
            /communewatch_rum_requests_total\{outcome="accepted"\} (\d+)/,
          )?.[1],
        (n) => Number(n) > 0,
        { timeoutMs: 15_000 },
      );

      await logoutAndCheck(page);
      await context.close();
    },
  );

  /** Opens `path` in a fresh context (empty cache) with a logged-in session: bytes on the wire, per response. */
  async function coldLoad(
    state: Awaited<ReturnType<BrowserContext['storageState']>>,
    path: string,
    ready?: string,
  ): Promise<{ transferred: number; decoded: number; report: string }> {
    const { context, page } = await newContext(DESKTOP, state);
    try {
      const requests: Request[] = [];
      page.on('request', (r) => requests.push(r));
      await page.goto(url(path), { waitUntil: 'load' });
      expect(page.url()).toBe(url(path));
      if (ready) await page.locator(ready).waitFor();
      let transferred = 0;
      let decoded = 0;
      const lines: string[] = [];
      for (const r of requests) {
        if (!r.url().startsWith(server!.url)) continue;
        const res = await r.response();
        // Resolves once the response has been read: encoded (on-the-wire) body and header sizes.
        const sizes = await r.sizes();
        const body = res ? (await res.body()).length : 0;
        transferred += sizes.responseBodySize + sizes.responseHeadersSize;
        decoded += body;
        lines.push(
          `${new URL(r.url()).pathname}: ${sizes.responseBodySize} B ${res?.headers()['content-encoding'] ?? 'identity'} ` +
            `+ ${sizes.responseHeadersSize} B headers (${body} B decoded)`,
        );
      }
      const report =
        `${path}: ${transferred} bytes transferred (${(transferred / 1024).toFixed(1)} KiB), ` +
        `${decoded} bytes decoded, ${lines.length} requests\n    ${lines.join('\n    ')}`;
      return { transferred, decoded, report };
    } finally {
      await context.close();
    }
  }

  it('the first (cold-cache) load of the overview is within the 250 KB budget, and the overview fits a phone', async () => {
    // Log in through the form in one context; open pages in fresh ones (empty cache) with its cookie.
    const { context: loginContext, page: loginPage } = await newContext();
    await login(loginPage, 'viewer');
    const state = await loginContext.storageState();
    await loginContext.close();

    const overview = await coldLoad(state, '/');
    // The heaviest page: the commune page loads uPlot for its chart.
    const commune = await coldLoad(state, `/communes/${UPLINK_DOWN}`, '.chart .uplot');
    console.log(`first load (cold cache, brotli):\n  ${overview.report}\n  ${commune.report}`);
    expect(overview.transferred).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(commune.transferred).toBeLessThanOrEqual(BUDGET_BYTES);

    // A phone: the same page at 390×844; the page itself is no wider than the screen (tables scroll).
    const phone = await browser!.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
      storageState: state,
    });
    try {
      const tab = await phone.newPage();
      tab.on('pageerror', (e) => problems.push(`phone: ${e.message}`));
      await tab.goto(url('/'));
      expect(await tab.locator('h1').innerText()).toBe('Tổng quan');
      expect(await tab.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await shot(tab, 'overview-phone-vi');
    } finally {
      await phone.close();
    }
  });

  it('viewer: read-only — no Admin, the notifications sent, the pages leaders read', async () => {
    const { context, page } = await newContext();
    await login(page, 'viewer');
    expect(await navLinks(page)).toEqual([
      'Tổng quan',
      'Sự cố',
      'Dịch vụ',
      'Hồ sơ trễ hạn',
      'Lỗi phía người dùng',
      'Thiết bị',
    ]);
    expect((await rows(page, 'open')).map((r) => r[0])).toEqual(
      [incident.civil, incident.eSigning, incident.network].map((i) => `#${i!.id}`),
    );
    await shot(page, 'overview-viewer-vi');

    await Promise.all([
      page.waitForURL(url(`/incidents/${incident.civil!.id}`)),
      page.locator(`table#open a[href="/incidents/${incident.civil!.id}"]`).click(),
    ]);
    const evidence = await rows(page, 'evidence');
    expect(evidence.filter((r) => r[3] === 'Lỗi').map((r) => r[5])).toEqual(
      expect.arrayContaining(['CW_ERR_PROBE_HTTP_STATUS']),
    );
    expect(evidence.every((r) => r[1] === CIVIL_DOWN && r[2] === 'hotich')).toBe(true);
    expect((await rows(page, 'notifications'))[0]).toEqual(expect.arrayContaining(['so-khcn', 'webhook', 'Đã gửi']));
    expect(await page.getByRole('button', { name: 'Tiếp nhận xử lý' }).count()).toBe(0);
    await shot(page, 'incident-civil-status-viewer');

    const admin = await page.goto(url('/admin'));
    expect(admin!.status()).toBe(403);
    expect(await page.locator('p.err').innerText()).toBe('Tài khoản của bạn không có quyền xem trang này.');
    await logoutAndCheck(page);
    await context.close();
  });

  it('vendor: only its own service, in the UI and through the API with the same session', async () => {
    const { context, page } = await newContext();
    await login(page, 'vendor');
    expect(await navLinks(page)).toEqual(['Tổng quan', 'Sự cố', 'Dịch vụ', 'Lỗi phía người dùng']);
    // The grid has its service only (and the commune network, which tells it an outage was not its own).
    expect(await page.locator('table#grid thead th').allInnerTexts()).toEqual([
      'Xã',
      'Mạng của xã',
      'Hộ tịch',
      expect.any(String),
      expect.any(String),
    ]);
    expect(await page.locator('table#grid thead th.v').allInnerTexts()).toEqual(['Hộ tịch']);
    const open = await rows(page, 'open');
    expect(open.map((r) => r[0])).toEqual([incident.civil, incident.network].map((i) => `#${i!.id}`));
    expect(await page.locator('main').innerText()).not.toContain('Ký số');
    await shot(page, 'overview-vendor-vi');

    // Its own incident, with evidence but no notifications table (that is the province's business).
    await Promise.all([
      page.waitForURL(url(`/incidents/${incident.civil!.id}`)),
      page.locator(`table#open a[href="/incidents/${incident.civil!.id}"]`).click(),
    ]);
    expect((await rows(page, 'evidence')).filter((r) => r[3] === 'Lỗi').map((r) => r[5])).toContain(
      'CW_ERR_PROBE_HTTP_STATUS',
    );
    expect(await page.locator('table#notifications').count()).toBe(0);
    await shot(page, 'incident-civil-status-vendor');

    // Another vendor's service and incident: 404 in the UI, as if they did not exist.
    const other = await page.goto(url('/services/e-signing'));
    expect(other!.status()).toBe(404);
    expect(await page.locator('p.err').innerText()).toBe('Không có dịch vụ này (hoặc bạn không có quyền xem).');
    await shot(page, 'service-e-signing-vendor-404');
    const otherIncident = await page.goto(url(`/incidents/${incident.eSigning!.id}`));
    expect(otherIncident!.status()).toBe(404);
    for (const path of ['/equipment', '/dossiers', '/admin']) expect((await page.goto(url(path)))!.status()).toBe(403);

    // A commune: its network and its own service, nothing of the other vendors' targets.
    await page.goto(url(`/communes/${C[0]}`));
    expect(await page.locator('h1').innerText()).toBe(`Xã Bảo Hà (${C[0]})`);
    expect((await rows(page, 'targets')).map((r) => r[0]).sort()).toEqual(['hotich', 'path-gateway', 'path-uplink']);
    expect(await page.locator('table#agents').count()).toBe(0);
    expect(await page.locator('table#pcs').count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toContain('ky-so-ocsp');
    await shot(page, `commune-${C[0]}-vendor`);

    // Its own service page, with the heatmaps.
    const own = await page.goto(url('/services/civil-status'));
    expect(own!.status()).toBe(200);
    expect(await page.locator('h1').innerText()).toBe('Hộ tịch');
    expect(await page.locator('table.heat[data-metric=failures] tbody tr').count()).toBe(7);
    expect(await page.locator('table.heat[data-metric=latency] tbody tr').count()).toBe(7);
    expect((await rows(page, 'incidents')).map((r) => r[0]).sort()).toEqual(
      [incident.civil, incident.civilEarlier].map((i) => `#${i!.id}`).sort(),
    );
    await shot(page, 'service-civil-status-vendor');

    // The API with the browser's own session cookie.
    const one = await page.request.get(url(`/api/v1/incidents/${incident.eSigning!.id}`));
    expect(one.status()).toBe(404);
    const mine = await page.request.get(url(`/api/v1/incidents/${incident.civil!.id}`));
    expect(mine.status()).toBe(200);
    const list = (await (await page.request.get(url('/api/v1/incidents'))).json()) as { incidents: Incident[] };
    expect(list.incidents.length).toBeGreaterThan(0);
    expect(list.incidents.filter((i) => i.service === 'e-signing')).toEqual([]);
    expect(list.incidents.map((i) => i.service)).toContain('civil-status');
    const status = (await (await page.request.get(url('/api/v1/status'))).json()) as {
      targets: Array<{ service: string }>;
    };
    expect(new Set(status.targets.map((t) => t.service))).toEqual(new Set(['civil-status']));

    await logoutAndCheck(page);
    await context.close();
  });

  it('no script error or CSP violation on any page', () => {
    expect(problems).toEqual([]);
  });

  /**
   * The e-signing heatmaps: the 8–11 h band of Monday to Friday is dark in both, the small hours are not.
   * Cells of the last 40 minutes are left out: what they hold depends on the time of day the test runs.
   */
  async function checkPeakBand(page: Page): Promise<void> {
    const recent = new Set<string>();
    for (let ts = now - 40 * MIN; ts <= now + 5 * MIN; ts += MIN)
      recent.add(`${(local(ts).weekday + 6) % 7}:${local(ts).hour}`);
    for (const metric of ['failures', 'latency']) {
      const grid = (await page.evaluate(
        `[...document.querySelectorAll('table.heat[data-metric=${metric}] tbody tr')]` +
          ".map((tr) => [...tr.querySelectorAll('td')].map((td) => td.className))",
      )) as string[][];
      // Rows Monday..Sunday; columns hours 0..23.
      expect(grid).toHaveLength(7);
      for (let row = 0; row < 7; row++) {
        expect(grid[row]).toHaveLength(24);
        for (const hour of [8, 9, 10, 2, 3, 4]) {
          if (recent.has(`${row}:${hour}`)) continue;
          expect(grid[row]![hour], `${metric}, weekday row ${row}, ${hour}:00`).toBe(
            row < 5 && hour >= 8 ? 'dark' : '',
          );
        }
      }
    }
  }
});
