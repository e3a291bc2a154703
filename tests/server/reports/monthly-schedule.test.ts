/**
 * The monthly report's schedule on real components: the seeded SQLite file (fixture.ts), the report log of
 * migration 010, and delivery to a real SMTP server (smtp-server, parsed with mailparser). The clock is
 * injected; a restart is a new connection to the same file and a new scheduler, nothing shared in memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { openSqliteStore, type SqliteStore } from '../../../server/store/sqlite-store.js';
import { CalendarBook } from '../../../server/calendar/calendar-book.js';
import { DossierConfigSchema, type DossierConfig } from '../../../server/dossiers/dossier-config.js';
import { ReportsConfigSchema, type ReportsConfig } from '../../../server/reports/report-config.js';
import type { ReportLog } from '../../../server/store/report-log.js';
import { createReportLog } from '../../../server/store/sqlite-report-log.js';
import {
  CLAIM_LEASE_MS,
  latestDueMonth,
  monthlyDueAt,
  MonthlyReports,
} from '../../../server/reports/monthly-schedule.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { seed, vn, type Seeded } from './fixture.js';

const MIN = 60_000;
const LEADERS = ['lanhdao@laocai.gov.vn', 'vanphong@laocai.gov.vn'];

describe('monthly report schedule', () => {
  let s: Seeded;
  let smtp: TestSmtp;
  let store: SqliteStore;
  beforeAll(async () => {
    s = await seed();
    store = s.api.store as SqliteStore;
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
    store.close();
    await s.close();
  });

  function reportsConfig(monthly: object = {}): ReportsConfig {
    return Value.Default(ReportsConfigSchema, {
      monthly: { enabled: true, recipients: LEADERS, scope: { provinces: ['15'] }, ...monthly },
    }) as ReportsConfig;
  }

  /** What the server builds at start: a scheduler over the store, with its own report log and calendars. */
  function scheduler(opts: { monthly?: object; reportLog?: ReportLog } = {}) {
    const units = s.api.built.units;
    return new MonthlyReports({
      store,
      reportLog: opts.reportLog ?? createReportLog(store.db),
      units,
      calendars: new CalendarBook({ calendar: store.calendar, units, offsetMin: 420 }),
      config: {
        reports: reportsConfig(opts.monthly),
        dossiers: Value.Default(DossierConfigSchema, {}) as DossierConfig,
        timezoneOffsetMinutes: 420,
        alerts: {
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            secure: false,
            requireTls: false,
            from: 'CommuneWatch <giamsat@laocai.gov.vn>',
            timeoutMs: 10_000,
          },
        },
      },
      now: () => {
        throw new Error('the tests pass the time to every call');
      },
    });
  }

  it('is due on the configured day and local time of the next month', () => {
    const at = { dayOfMonth: 5, time: '18:00' };
    expect(monthlyDueAt({ year: 2026, month: 12 }, at, 420)).toBe(vn('2027-01-05T18:00'));
    expect(latestDueMonth(vn('2026-11-05T17:59'), at, 420)).toEqual({ year: 2026, month: 9 });
    expect(latestDueMonth(vn('2026-11-05T18:00'), at, 420)).toEqual({ year: 2026, month: 10 });
    expect(latestDueMonth(vn('2027-01-01T07:30'), { dayOfMonth: 1, time: '07:30' }, 420)).toEqual({
      year: 2026,
      month: 12,
    });
  });

  it('does nothing while disabled', async () => {
    expect(await scheduler({ monthly: { enabled: false } }).tick(vn('2026-11-01T07:30'))).toEqual({
      status: 'disabled',
    });
    expect(smtp.mails).toHaveLength(0);
  });

  it('sends October at 07:30 on 1 November, once, and not again after a restart', async () => {
    const reports = scheduler();
    // September went out in its time (recorded here as the server would have done then).
    createReportLog(store.db).markSent('monthly', '2026-09', {
      now: vn('2026-10-01T07:30'),
      by: 'schedule',
      recipients: LEADERS,
      subject: 'CommuneWatch — Báo cáo tháng 09/2026 — Lào Cai',
    });
    expect(await reports.tick(vn('2026-11-01T07:29'))).toEqual({ status: 'already-sent', month: '2026-09' });
    expect(smtp.mails).toHaveLength(0);

    expect(await reports.tick(vn('2026-11-01T07:30'))).toMatchObject({
      status: 'sent',
      month: '2026-10',
      recipients: LEADERS,
    });
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.subject).toBe('CommuneWatch — Báo cáo tháng 10/2026 — Lào Cai');
    expect(mail.from?.text).toBe('"CommuneWatch" <giamsat@laocai.gov.vn>');
    expect(smtp.envelopes[0]).toEqual(LEADERS);
    expect(mail.text).toContain('BÁO CÁO THÁNG 10/2026');
    expect(mail.text).toMatch(/Dịch vụ công hoạt động\s+98,3 %\s+99,7 %/);
    expect(mail.text).toMatch(/Phần mềm hộ tịch\s+2\s+97,6 %\s+8 giờ\s+99,6 %/);
    expect(mail.text).toContain('Hồ sơ có hạn trả kết quả trong tháng: 5; trễ hạn: 3.');
    expect(mail.html).toContain('>Tỷ lệ hoạt động theo xã (thấp nhất trước)</h2>');
    expect(mail.html).toContain('>Xã Kim Sơn (26737)</td>');
    expect(await reports.tick(vn('2026-11-01T07:31'))).toEqual({ status: 'already-sent', month: '2026-10' });

    // Restart: a new connection to the same file, a new scheduler.
    const file = store.file;
    store.close();
    store = openSqliteStore({ file });
    const restarted = scheduler();
    expect(await restarted.tick(vn('2026-11-01T08:00'))).toEqual({ status: 'already-sent', month: '2026-10' });
    expect(await restarted.tick(vn('2026-11-20T14:00'))).toEqual({ status: 'already-sent', month: '2026-10' });
    expect(smtp.mails).toHaveLength(1);
    expect(createReportLog(store.db).get('monthly', '2026-10')).toMatchObject({
      status: 'sent',
      attempts: 1,
      sentAt: vn('2026-11-01T07:30'),
      sentBy: 'schedule',
      recipients: LEADERS,
      subject: 'CommuneWatch — Báo cáo tháng 10/2026 — Lào Cai',
      lastError: null,
    });
  });

  it('catches up after downtime, for the latest month only', async () => {
    // Down from 30 November to 3 December: November's report goes out when the server is back.
    expect(await scheduler().tick(vn('2026-12-03T10:15'))).toMatchObject({ status: 'sent', month: '2026-11' });
    expect(smtp.mails.at(-1)!.subject).toBe('CommuneWatch — Báo cáo tháng 11/2026 — Lào Cai');
    // Down from 5 December to 4 February: only January is sent; December is not sent late.
    expect(await scheduler().tick(vn('2027-02-04T09:00'))).toMatchObject({ status: 'sent', month: '2027-01' });
    expect(smtp.mails.map((m) => m.subject)).toEqual([
      'CommuneWatch — Báo cáo tháng 10/2026 — Lào Cai',
      'CommuneWatch — Báo cáo tháng 11/2026 — Lào Cai',
      'CommuneWatch — Báo cáo tháng 01/2027 — Lào Cai',
    ]);
    expect(
      createReportLog(store.db)
        .list('monthly', 10)
        .map((e) => [e.period, e.status]),
    ).toEqual([
      ['2027-01', 'sent'],
      ['2026-11', 'sent'],
      ['2026-10', 'sent'],
      ['2026-09', 'sent'],
    ]);
  });

  it('retries a refused send with backoff; takes over a claim left by a process that died', async () => {
    const reports = scheduler();
    const log = createReportLog(store.db);
    const due = vn('2027-03-01T07:30');
    smtp.refuseNext(1);
    const failed = await reports.tick(due);
    expect(failed).toMatchObject({ status: 'failed', month: '2027-02', nextAttemptAt: due + 5 * MIN });
    expect(log.get('monthly', '2027-02')).toMatchObject({
      status: 'failed',
      attempts: 1,
      nextAttemptAt: due + 5 * MIN,
      lastError: expect.stringContaining('SMTP 451'),
    });
    expect(await reports.tick(due + 4 * MIN)).toEqual({ status: 'waiting-retry', month: '2027-02' });
    const before = smtp.mails.length;
    expect(await reports.tick(due + 5 * MIN)).toMatchObject({ status: 'sent', month: '2027-02' });
    expect(smtp.mails).toHaveLength(before + 1);
    expect(log.get('monthly', '2027-02')).toMatchObject({
      status: 'sent',
      attempts: 2,
      sentAt: due + 5 * MIN,
      lastError: null,
    });

    // Another process claimed March's report at 07:30 and died before sending it.
    const april = vn('2027-04-01T07:30');
    expect(log.claim('monthly', '2027-03', april, CLAIM_LEASE_MS)).toBe(true);
    expect(await reports.tick(april + 5 * MIN)).toEqual({ status: 'in-progress', month: '2027-03' });
    // Once the claim has expired the report is sent; a tick while that send runs does not send twice.
    const sending = reports.tick(april + 15 * MIN);
    expect(await reports.tick(april + 15 * MIN)).toEqual({ status: 'busy' });
    expect(await sending).toMatchObject({ status: 'sent', month: '2027-03' });
    expect(smtp.mails).toHaveLength(before + 2);
    expect(log.get('monthly', '2027-03')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('sendNow: to test addresses changes nothing; to the leaders it counts as the delivery', async () => {
    const reports = scheduler();
    const log = createReportLog(store.db);
    const now = vn('2027-05-01T07:00'); // before April's due time
    const test = await reports.sendNow({ year: 2027, month: 4 }, { now, to: ['it@laocai.gov.vn'], by: 'cli:test' });
    expect(test).toMatchObject({ recipients: ['it@laocai.gov.vn'], counted: false });
    expect(smtp.envelopes.at(-1)).toEqual(['it@laocai.gov.vn']);
    expect(log.get('monthly', '2027-04')).toBeUndefined();
    expect(await reports.sendNow({ year: 2027, month: 4 }, { now, by: 'cli:test' })).toMatchObject({
      recipients: LEADERS,
      counted: true,
    });
    expect(log.get('monthly', '2027-04')).toMatchObject({ status: 'sent', sentBy: 'cli:test' });
    const count = smtp.mails.length;
    expect(await reports.tick(vn('2027-05-01T07:30'))).toEqual({ status: 'already-sent', month: '2027-04' });
    expect(smtp.mails).toHaveLength(count);
  });
});
