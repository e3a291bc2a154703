/**
 * Attribution at national scale: 1,000,000 dossiers across 3,321 communes against a year of incidents,
 * attributed in one call of the report (goal, issue 5: ≤ 10 s on a 2-core machine). No peer does this
 * (peers.md §5), so there is nothing to run side by side; the figure is ours alone.
 *
 * Data: a temporary SQLite file; dossiers spread over 2026 (received in office hours, due 1–10 working
 * days later, ~8 % late, 3 % still open, civil status / certification / other fields); per commune ~12
 * local incidents and ~6 network incidents, plus 150 central incidents over 30–400 communes each.
 *
 * Run: npm run build && node dist/bench/dossier-attribution.js [--dossiers 1000000] [--communes 3321]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Value } from 'typebox/value';
import { openSqliteStore } from '../server/store/sqlite-store.js';
import { CalendarBook } from '../server/calendar/calendar-book.js';
import { seedShippedCalendars } from '../server/calendar/seed.js';
import { Units } from '../server/org/units.js';
import { attributeDossiers } from '../server/dossiers/attribution-report.js';
import { DossierConfigSchema, type DossierConfig } from '../server/dossiers/dossier-config.js';

const { values: args } = parseArgs({
  options: { dossiers: { type: 'string', default: '1000000' }, communes: { type: 'string', default: '3321' } },
});
const N = Number(args.dossiers);
const COMMUNES = Number(args.communes);
const H = 3_600_000;
const DAY = 24 * H;
const YEAR_START = Date.parse('2026-01-01T00:00:00+07:00');
const YEAR_END = Date.parse('2027-01-01T00:00:00+07:00');

// Deterministic pseudo-random numbers, so two runs measure the same data.
let seed = 42;
const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
const commune = (i: number) => String(10_000 + i);

const dir = mkdtempSync(join(tmpdir(), 'cw-bench-dossiers-'));
try {
  const store = openSqliteStore({ file: join(dir, 'cw.db') });
  seedShippedCalendars(store.calendar, Date.now());
  const t0 = Date.now();
  // Dossiers, straight into the table (the import path is measured elsewhere).
  const insert =
    store.db.prepare(`INSERT INTO dossiers (source, code, procedure_code, procedure_name, field, commune, channel,
      received_at, due_at, finished_at, first_handled_at, status, import_id, updated_at)
    VALUES ('bench', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, 0)`);
  const fields = [
    ['Hộ tịch', 'Đăng ký khai sinh'],
    ['Chứng thực', 'Chứng thực bản sao'],
    ['Đất đai', 'Đăng ký biến động'],
    ['Tư pháp', 'Cấp phiếu lý lịch'],
  ] as const;
  store.db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const received = Math.round(YEAR_START + Math.floor(rnd() * 350) * DAY + (7.5 + rnd() * 9) * H);
      const due = received + (1 + Math.floor(rnd() * 10)) * DAY;
      const r = rnd();
      const finished =
        r < 0.03 ? null : Math.round(r < 0.11 ? due + rnd() * 3 * DAY : received + rnd() * (due - received));
      const [field, name] = pick(fields);
      insert.run(
        `HS${i}`,
        null,
        name,
        field,
        commune(i % COMMUNES),
        rnd() < 0.4 ? 'online' : 'direct',
        received,
        due,
        finished,
        rnd() < 0.3 ? Math.round(received + rnd() * DAY) : null,
      );
    }
  })();
  // Incidents.
  const services = ['civil-status', 'one-stop-shop', 'portal', 'e-signing'];
  let incidents = 0;
  store.db.transaction(() => {
    for (let c = 0; c < COMMUNES; c++) {
      for (let k = 0; k < 18; k++) {
        const start = Math.round(YEAR_START + rnd() * (YEAR_END - YEAR_START));
        const network = k < 6;
        store.incidents.create({
          scope: 'local',
          cause: network ? 'commune-network' : 'local-service',
          severity: 'down',
          service: network ? null : pick(services),
          commune: commune(c),
          startedAt: start,
          endedAt: Math.round(start + rnd() * 4 * H),
          now: start,
        });
        incidents++;
      }
    }
    for (let k = 0; k < 150; k++) {
      const start = Math.round(YEAR_START + rnd() * (YEAR_END - YEAR_START));
      const end = Math.round(start + rnd() * 6 * H);
      const id = store.incidents.create({
        scope: 'central',
        cause: 'central-service',
        severity: 'down',
        service: pick(services),
        startedAt: start,
        endedAt: end,
        now: start,
      });
      const n = 30 + Math.floor(rnd() * 370);
      const first = Math.floor(rnd() * COMMUNES);
      for (let j = 0; j < n; j++)
        store.incidents.setCommune(id, { commune: commune((first + j) % COMMUNES), startedAt: start, endedAt: end });
      incidents++;
    }
  })();
  const built = (Date.now() - t0) / 1000;
  const config = Value.Default(DossierConfigSchema, {}) as DossierConfig;
  const calendars = new CalendarBook({ calendar: store.calendar, units: new Units() });
  const cpu0 = process.cpuUsage();
  const t1 = Date.now();
  const report = attributeDossiers(
    { store, calendars, config },
    { from: YEAR_START, to: YEAR_END, now: YEAR_END, limit: 1000 },
  );
  const seconds = (Date.now() - t1) / 1000;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    [
      `Dossier attribution, ${N.toLocaleString('en')} dossiers across ${COMMUNES.toLocaleString('en')} communes, ` +
        `${incidents.toLocaleString('en')} incidents over 2026 (Node ${process.version})`,
      '',
      '| figure | value |',
      '|---|---|',
      `| wall time of one attribution report (read, attribute, summarise) | **${seconds.toFixed(2)} s** (goal ≤ 10 s) |`,
      `| CPU time | ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s |`,
      `| dossiers attributed | ${report.total.dossiers.toLocaleString('en')}; ` +
        `overdue ${report.total.overdue.toLocaleString('en')}: outage ${report.total.outage.toLocaleString('en')}, ` +
        `partly ${report.total.partlyOutage.toLocaleString('en')}, not ${report.total.notOutage.toLocaleString('en')} |`,
      `| peak RSS | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB |`,
      `| building the data (not timed) | ${built.toFixed(1)} s |`,
      '',
    ].join('\n'),
  );
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
