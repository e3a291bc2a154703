/**
 * `communewatch report monthly [--month 2026-10] [--to a@b,c@d] [--print]`: the monthly summary for leaders
 * (docs/reports.md), printed as plain text, sent to the configured recipients (which counts as that month's
 * delivery: the schedule will not send it again), or sent to test addresses (which changes nothing).
 * `report vendor` and `report verify`: a vendor's signed evidence bundle (./report-vendor-command.ts).
 * What the report commands open before reading (config, store, calendars) is ./report-context.ts.
 *
 * This module only defines the command and is cheap to import: the store, the server config and the report
 * code are imported when the command runs, like the lazily loaded command modules of main.ts.
 */
import { InvalidArgumentError, type Command } from 'commander';
import {
  addMonths,
  monthBounds,
  monthLabel,
  monthOf,
  parseMonth,
  type ReportMonth,
} from '../server/reports/report-month.js';
import type { ReportsConfig } from '../server/reports/report-config.js';
import type { ReportVendorFlags, ReportVerifyFlags } from './report-vendor-command.js';

export interface ReportMonthlyFlags {
  month?: ReportMonth;
  to?: string[];
  print?: boolean;
  data?: string;
  config?: string;
}

/** Where the command writes and what time it is: the process's by default, injected by tests. */
export interface ReportIo {
  out: { write(text: string): unknown };
  now: () => number;
}

function monthArg(value: string): ReportMonth {
  const month = parseMonth(value);
  if (!month) throw new InvalidArgumentError('use yyyy-MM, e.g. 2026-10');
  return month;
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a number of seconds above 0, e.g. 10');
  return n;
}

function addressesArg(value: string): string[] {
  const list = value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const bad = list.find((a) => !/^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/.test(a));
  if (list.length === 0 || bad !== undefined)
    throw new InvalidArgumentError(
      `${bad === undefined ? 'no address' : `"${bad}" is not an e-mail address`}; use a@b.vn,c@d.vn`,
    );
  return list;
}

/**
 * Adds `report monthly` to the program (`reportCommand(program)` in main.ts). Built with `program.command`, so
 * the subcommands inherit the program's settings (help after an error, exit handling).
 */
export function reportCommand(program: Command): Command {
  const report = program
    .command('report')
    .description(
      "reports: the monthly summary e-mail for leaders (docs/reports.md); vendors' signed evidence bundles (docs/evidence.md)",
    );
  report
    .command('monthly')
    .description(
      'the monthly summary (uptime in working hours, longest incidents, overdue dossiers): print it or send it now',
    )
    .option('--month <yyyy-MM>', 'the month, Vietnam time (default: last month)', monthArg)
    .option(
      '--to <addresses>',
      'send to these addresses instead, comma-separated (a test: the scheduled delivery is unchanged)',
      addressesArg,
    )
    .option('--print', 'print the plain-text report instead of sending it')
    .option('--data <dir>', 'server data directory (default ./data)')
    .option('--config <file>', 'server YAML config (for its dataDir, units, time zone, SMTP and reports)')
    .action((flags: ReportMonthlyFlags) => runReportMonthly(flags));
  report
    .command('vendor')
    .description("a vendor's signed evidence bundle (SLA, incidents, RUM errors, dossiers; HTML, PDF, CSV/XLSX, JSON)")
    .requiredOption('--vendor <id>', 'vendor id from the config (`vendors:`), e.g. vnpt-it')
    .requiredOption('--from <time>', 'period start, "dd/MM/yyyy [HH:mm]" Vietnam time or ISO 8601')
    .requiredOption('--to <time>', 'period end, exclusive (a date alone includes that day)')
    .requiredOption('--out <dir>', 'folder to write the bundle into (created if needed)')
    .option('--data <dir>', 'server data directory (default ./data; holds the signing key)')
    .option('--config <file>', 'server YAML config (for its dataDir, vendors, units and time zone)')
    .action(async (flags: ReportVendorFlags) => (await import('./report-vendor-command.js')).runReportVendor(flags));
  report
    .command('verify')
    .description(
      "check a bundle's signature and every file's hash against the server's key; names altered, missing or extra " +
        'files. Exit 0: authentic; 1: altered; 2: intact but NOT authenticated (no --key, --server or --key-id)',
    )
    .argument('<bundle>', 'the bundle folder or .zip')
    .option('--key <file>', "the server's public key to trust (PEM, from /.well-known/communewatch/signing-key.pem)")
    .option('--server <url>', "fetch the server's public key from <url>/.well-known/communewatch/signing-key.pem")
    .option('--key-id <hex>', "the server's key id (SHA-256, 64 hex digits) from a source you trust")
    .option('--timeout <seconds>', 'how long --server may take (default 10)', positiveSeconds)
    .action(async (bundle: string, flags: ReportVerifyFlags) =>
      (await import('./report-vendor-command.js')).runReportVerify(bundle, flags),
    );
  return report;
}

/**
 * Runs `report monthly`: prints the month's summary (`--print`), sends it to `--to` as a test, or sends it to
 * the configured recipients, which counts as that month's delivery. The month defaults to last month.
 */
export async function runReportMonthly(
  flags: ReportMonthlyFlags,
  io: ReportIo = { out: process.stdout, now: Date.now },
): Promise<void> {
  if (flags.print && flags.to) throw new Error('--print and --to do not go together: print the report, or send it');
  const [{ reportsConfigOf }, { MonthlyReports }, { cliActor }, { withReportContext }] = await Promise.all([
    import('../server/reports/report-config.js'),
    import('../server/reports/monthly-schedule.js'),
    import('./store-access.js'),
    import('./report-context.js'),
  ]);
  const now = io.now();
  const checkMonth = (config: { timezoneOffsetMinutes: number }) => {
    const month = flags.month ?? addMonths(monthOf(now, config.timezoneOffsetMinutes), -1);
    if (monthBounds(month, config.timezoneOffsetMinutes).from > now)
      throw new Error(`--month ${monthLabel(month)} has not begun yet`);
    return month;
  };
  await withReportContext(flags, now, checkMonth, async ({ config, offset, units, store, calendars }, month) => {
    const reports = new MonthlyReports({
      store,
      reportLog: store.reports,
      units,
      calendars,
      config: {
        reports: reportsConfigOf(config as { reports?: ReportsConfig }),
        dossiers: config.dossiers,
        alerts: config.alerts,
        timezoneOffsetMinutes: offset,
      },
      now: io.now,
    });
    if (flags.print) {
      io.out.write(reports.render(month, now).text);
      return;
    }
    const sent = await reports.sendNow(month, { now, to: flags.to, by: cliActor() });
    io.out.write(`Sent the report for ${monthLabel(month)} to ${sent.recipients.join(', ')}: "${sent.subject}".\n`);
    if (!sent.counted) io.out.write('A test send: the scheduled delivery to the configured recipients is unchanged.\n');
  });
}
