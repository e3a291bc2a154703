/** Checks of the `alerts:` section the schema cannot express, located like every config problem. */
import { resolve } from 'node:path';
import type { ConfigProblem } from '../../common/config-file.js';
import type { AlertConfig } from './alert-config.js';
import { referencedReceivers } from './routing.js';

export function checkAlertConfig(alerts: AlertConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Map<string, number>();
  alerts.receivers.forEach((r, i) => {
    if (names.has(r.name))
      problems.push({
        path: `alerts.receivers[${i}].name`,
        message: `duplicate receiver "${r.name}" (also receivers[${names.get(r.name)}])`,
      });
    names.set(r.name, i);
    if (r.email?.length && !alerts.smtp)
      problems.push({ path: `alerts.receivers[${i}].email`, message: 'e-mail needs an `alerts.smtp` section' });
    const channels = [r.email, r.webhook, r.telegram, r.zalo, r.alertmanager].filter((c) => c?.length).length;
    if (channels === 0)
      problems.push({
        path: `alerts.receivers[${i}]`,
        message: 'a receiver needs at least one channel (email, webhook, telegram, zalo, alertmanager)',
      });
  });
  for (const ref of referencedReceivers(alerts.route)) {
    if (!names.has(ref.name))
      problems.push({ path: ref.at, message: `no receiver named "${ref.name}" in alerts.receivers` });
  }
  if (alerts.route && !alerts.route.receiver)
    problems.push({
      path: 'alerts.route.receiver',
      message: 'the root route needs a receiver (the default for incidents no child route matches)',
    });
  return problems;
}

/** Secret files named in the config are relative to the config file's folder, like the catalogue. */
export function resolveSecretFiles(alerts: AlertConfig, base: string): void {
  const fix = (ref: { file?: string } | undefined) => {
    if (ref?.file) ref.file = resolve(base, ref.file);
  };
  fix(alerts.smtp?.password);
  if (alerts.smtp?.caFile) alerts.smtp.caFile = resolve(base, alerts.smtp.caFile);
  for (const r of alerts.receivers) {
    r.webhook?.forEach((w) => fix(w.secret));
    r.telegram?.forEach((t) => fix(t.botToken));
    r.zalo?.forEach((z) => fix(z.accessToken));
  }
}
