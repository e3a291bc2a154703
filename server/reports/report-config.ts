/**
 * The `reports:` section of the server config. `reports.monthly` is the summary e-mailed to leaders once a
 * month: uptime in working hours, the longest incidents, overdue dossiers by verdict (docs/reports.md). It is
 * sent through the SMTP server of `alerts.smtp`; `{}` is valid and leaves it off.
 */
import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { ConfigProblem } from '../../common/config-file.js';
import type { AlertConfig } from '../alerts/alert-config.js';

const strict = { additionalProperties: false } as const;
const UnitCode = Type.String({ pattern: '^[0-9A-Za-z-]{1,16}$' });

export const MonthlyReportSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    recipients: Type.Array(Type.String({ format: 'email' }), {
      maxItems: 200,
      default: [],
      description: 'who receives the report, e.g. vanphong@laocai.gov.vn',
    }),
    /** The report for month M goes out on this day of month M+1 (1–28, so every month has it). */
    dayOfMonth: Type.Integer({ minimum: 1, maximum: 28, default: 1 }),
    /** Local time (server `timezoneOffsetMinutes`, Vietnam) of that day. */
    time: Type.String({
      pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
      default: '07:30',
      description: 'HH:mm, Vietnam time',
    }),
    language: Type.Union([Type.Literal('vi'), Type.Literal('en')], { default: 'vi' }),
    /** Only communes of these provinces or districts (codes of the units file); all communes when absent. */
    scope: Type.Optional(
      Type.Object(
        {
          provinces: Type.Array(UnitCode, { maxItems: 100, default: [] }),
          districts: Type.Array(UnitCode, { maxItems: 1000, default: [] }),
        },
        strict,
      ),
    ),
    /** Incidents listed, longest working-hours outage first. */
    topIncidents: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
    /** Communes listed in the e-mail, lowest uptime first; the data behind it covers all of them. */
    maxCommunes: Type.Integer({ minimum: 1, maximum: 5000, default: 50 }),
  },
  { ...strict, default: {} },
);
export type MonthlyReportConfig = Static<typeof MonthlyReportSchema>;
export type ReportScope = NonNullable<MonthlyReportConfig['scope']>;

export const ReportsConfigSchema = Type.Object({ monthly: MonthlyReportSchema }, { ...strict, default: {} });
export type ReportsConfig = Static<typeof ReportsConfigSchema>;

/** The `reports` section of a loaded server config, with defaults when the config has none. */
export function reportsConfigOf(config: { reports?: ReportsConfig }): ReportsConfig {
  return config.reports ?? (Value.Default(ReportsConfigSchema, {}) as ReportsConfig);
}

/** Checks the schema cannot express, located like every config problem. */
export function checkReportsConfig(reports: ReportsConfig, alerts: Pick<AlertConfig, 'smtp'>): ConfigProblem[] {
  const m = reports.monthly;
  const problems: ConfigProblem[] = [];
  if (m.enabled && m.recipients.length === 0)
    problems.push({ path: 'reports.monthly.recipients', message: 'the monthly report needs at least one recipient' });
  if (m.enabled && !alerts.smtp)
    problems.push({
      path: 'reports.monthly.enabled',
      message: 'the monthly report is sent by e-mail: it needs an `alerts.smtp` section',
    });
  if (m.scope && m.scope.provinces.length === 0 && m.scope.districts.length === 0) {
    problems.push({
      path: 'reports.monthly.scope',
      message: 'name at least one province or district (or leave scope out for all communes)',
    });
  }
  return problems;
}
