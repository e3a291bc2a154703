/**
 * Checks of the `alerts:` section the schema cannot express, located like every config problem, and the
 * secret files it names made absolute. Per-channel rules come from the notifier registry: what a channel
 * needs elsewhere (`requires`) and which of its target fields are secrets (`secretFields`).
 */
import { resolve } from 'node:path';
import type { ConfigProblem } from '../../common/config-file.js';
import type { AlertConfig, Receiver } from './alert-config.js';
import type { SecretRef } from './config-parts.js';
import { CHANNELS, getNotifier } from './notifiers/index.js';
import { referencedReceivers } from './routing.js';

/** The channels a receiver lists at least one target for. */
const channelsOf = (r: Receiver) => CHANNELS.filter((c) => r[c]?.length);

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
    const channels = channelsOf(r);
    for (const c of channels) {
      const needs = getNotifier(c).requires?.(alerts);
      if (needs) problems.push({ path: `alerts.receivers[${i}].${c}`, message: needs });
    }
    if (channels.length === 0)
      problems.push({
        path: `alerts.receivers[${i}]`,
        message: `a receiver needs at least one channel (${CHANNELS.join(', ')})`,
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
  for (const r of alerts.receivers)
    for (const c of channelsOf(r)) {
      const fields: readonly string[] = getNotifier(c).secretFields;
      for (const target of r[c] as Array<Record<string, SecretRef | undefined>>) for (const f of fields) fix(target[f]);
    }
}
