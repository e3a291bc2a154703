/**
 * When the monthly report goes out, and making sure it goes out once. The report for month M is due on
 * `dayOfMonth` of month M+1 at `time` (local time). Each `tick(now)` — called by the app's timer loop,
 * never a timer of its own — looks at the latest month that is due:
 *
 * - already sent (the report log in SQLite says so): nothing, also after a restart;
 * - not sent: claim it in the log, compute the summary, e-mail it, mark it sent. A server that was down at
 *   the due time therefore sends it at its first tick after coming back (catch-up), but only for the latest
 *   month: older months missed during a long outage are not sent late (`communewatch report monthly
 *   --month` can still send one by hand);
 * - a failed send is retried with backoff (5 min doubling to 6 h) until the next month becomes due.
 */
import type { Store } from '../store/store.js';
import type { Units } from '../org/units.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import type { DossierConfig } from '../dossiers/dossier-config.js';
import type { AlertConfig } from '../alerts/alert-config.js';
import { readSecret } from '../alerts/notifier.js';
import { sendEmail, type OutgoingMail } from '../alerts/notifiers/email.js';
import type { ReportsConfig, MonthlyReportConfig } from './report-config.js';
import type { ReportLog } from '../store/report-log.js';
import { monthlySummary, type MonthlySummary } from './monthly-summary.js';
import { renderMonthlyMail, type RenderedReport } from './summary-mail.js';
import { addMonths, localInstant, monthKey, monthOf, type ReportMonth } from './report-month.js';

/** A claim older than this belongs to a process that died mid-send (SMTP timeouts are at most 2 minutes). */
export const CLAIM_LEASE_MS = 15 * 60_000;
const MIN_BACKOFF_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 6 * 3_600_000;

export interface MonthlyReportDeps {
  store: Store;
  /** createReportLog(db), i.e. `store.reports` once wired into the Store. */
  reportLog: ReportLog;
  units: Units;
  calendars: CalendarBook;
  config: {
    reports: ReportsConfig;
    dossiers: DossierConfig;
    alerts: Pick<AlertConfig, 'smtp'>;
    timezoneOffsetMinutes: number;
  };
  now?: () => number;
  /** Sends one e-mail; default: SMTP per `alerts.smtp`, with the alert e-mail notifier's transport. */
  send?: (mail: OutgoingMail) => Promise<void>;
  log?: {
    info: (o: object, m: string) => void;
    warn: (o: object, m: string) => void;
    error: (o: object, m: string) => void;
  };
}

export type TickOutcome =
  | { status: 'disabled' | 'busy' }
  | { status: 'already-sent' | 'in-progress' | 'waiting-retry'; month: string }
  | { status: 'sent'; month: string; subject: string; recipients: string[] }
  | { status: 'failed'; month: string; error: string; nextAttemptAt: number };

/** When the report of `month` is due: `dayOfMonth` of the next month at `time`, local time. */
export function monthlyDueAt(
  month: ReportMonth,
  cfg: Pick<MonthlyReportConfig, 'dayOfMonth' | 'time'>,
  offsetMin: number,
): number {
  return localInstant(addMonths(month, 1), cfg.dayOfMonth, cfg.time, offsetMin);
}

/** The latest month whose report is due at `now`: last month once this month's send time has passed, else the month before. */
export function latestDueMonth(
  now: number,
  cfg: Pick<MonthlyReportConfig, 'dayOfMonth' | 'time'>,
  offsetMin: number,
): ReportMonth {
  const last = addMonths(monthOf(now, offsetMin), -1);
  return monthlyDueAt(last, cfg, offsetMin) <= now ? last : addMonths(last, -1);
}

export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}

export class MonthlyReports {
  private running = false;
  private readonly now: () => number;
  private readonly send: (mail: OutgoingMail) => Promise<void>;

  constructor(private readonly deps: MonthlyReportDeps) {
    this.now = deps.now ?? Date.now;
    this.send =
      deps.send ??
      ((mail) => sendEmail({ smtp: deps.config.alerts.smtp, secret: (ref, what) => readSecret(ref, what) }, mail));
  }

  /** The figures of one month, as of `now`. */
  summary(month: ReportMonth, now: number = this.now()): MonthlySummary {
    const { store, units, calendars, config } = this.deps;
    return monthlySummary(
      {
        store,
        units,
        calendars,
        config: {
          timezoneOffsetMinutes: config.timezoneOffsetMinutes,
          dossiers: config.dossiers,
          monthly: config.reports.monthly,
        },
      },
      { month, now },
    );
  }

  /** The e-mail of one month, as of `now`. */
  render(month: ReportMonth, now: number = this.now()): RenderedReport {
    const m = this.deps.config.reports.monthly;
    return renderMonthlyMail(this.summary(month, now), { language: m.language, maxCommunes: m.maxCommunes });
  }

  /**
   * Sends the latest due month's report if it has not gone out yet. Call it often (every minute is fine:
   * a tick that has nothing to do is one SQLite read). Never throws for a failed send; it is logged,
   * recorded and retried later.
   */
  async tick(now: number = this.now()): Promise<TickOutcome> {
    const m = this.deps.config.reports.monthly;
    if (!m.enabled || m.recipients.length === 0) return { status: 'disabled' };
    if (this.running) return { status: 'busy' };
    const month = latestDueMonth(now, m, this.deps.config.timezoneOffsetMinutes);
    const key = monthKey(month);
    const log = this.deps.reportLog;
    const entry = log.get('monthly', key);
    if (entry?.status === 'sent') return { status: 'already-sent', month: key };
    if (!log.claim('monthly', key, now, CLAIM_LEASE_MS)) {
      return { status: entry?.status === 'failed' ? 'waiting-retry' : 'in-progress', month: key };
    }
    this.running = true;
    try {
      const mail = this.render(month, now);
      await this.send({ to: m.recipients, ...mail });
      log.markSent('monthly', key, { now, by: 'schedule', recipients: m.recipients, subject: mail.subject });
      this.deps.log?.info({ month: key, recipients: m.recipients.length }, 'monthly report sent');
      return { status: 'sent', month: key, subject: mail.subject, recipients: m.recipients };
    } catch (err) {
      const error = (err as Error).message ?? String(err);
      const attempts = log.get('monthly', key)?.attempts ?? 1;
      const nextAttemptAt = now + backoffMs(attempts);
      log.markFailed('monthly', key, { now, error, nextAttemptAt });
      this.deps.log?.warn({ month: key, attempts, nextAttemptAt, err }, 'monthly report not sent; will retry');
      return { status: 'failed', month: key, error, nextAttemptAt };
    } finally {
      this.running = false;
    }
  }

  /**
   * Sends one month's report now, whatever the schedule says (the command line). To the configured
   * recipients it counts as that month's delivery, so the schedule will not send it again; to other
   * addresses (`to`) it is a test and changes nothing in the log.
   */
  async sendNow(
    month: ReportMonth,
    opts: { now?: number; to?: string[]; by: string },
  ): Promise<{ subject: string; recipients: string[]; counted: boolean }> {
    const now = opts.now ?? this.now();
    const recipients = opts.to ?? this.deps.config.reports.monthly.recipients;
    if (recipients.length === 0)
      throw new Error('no recipients: set reports.monthly.recipients in the server config, or give --to');
    const mail = this.render(month, now);
    await this.send({ to: recipients, ...mail });
    const counted = opts.to === undefined;
    if (counted)
      this.deps.reportLog.markSent('monthly', monthKey(month), { now, by: opts.by, recipients, subject: mail.subject });
    return { subject: mail.subject, recipients, counted };
  }
}
