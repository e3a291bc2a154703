/**
 * `communewatch silence add|list|delete`: silences and maintenance windows from the server machine, with
 * the same checks as the API (server/alerts/silence-service.ts).
 */
import { formatLocalTime } from '../common/local-time.js';
import { createSilence } from '../server/alerts/silence-service.js';
import { HttpError } from '../server/errors.js';
import { cliActor, printTable, timeFlag as time, withStore, type StoreFlags } from './store-access.js';

const LABELS = ['cause', 'service', 'severity', 'scope', 'commune', 'province', 'district'];

/** ["commune=26734,26737", "service=portal"] → { commune: [...], service: [...] } */
function matchers(list: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of list) {
    const eq = m.indexOf('=');
    const name = m.slice(0, eq);
    if (eq < 1 || !LABELS.includes(name))
      throw new Error(`--match "${m}": use label=value[,value…] with label one of ${LABELS.join(', ')}`);
    out[name] = [
      ...(out[name] ?? []),
      ...m
        .slice(eq + 1)
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    ];
  }
  return out;
}

export async function runSilenceAdd(
  flags: {
    kind: string;
    match: string[];
    from: string;
    to: string;
    weekdays?: string;
    between?: string;
    comment: string;
  } & StoreFlags,
): Promise<void> {
  if (flags.kind !== 'silence' && flags.kind !== 'maintenance')
    throw new Error('--kind must be silence or maintenance');
  if ((flags.weekdays === undefined) !== (flags.between === undefined))
    throw new Error('a recurring window needs both --weekdays and --between');
  const between = flags.between?.match(/^(\d{2}:\d{2})-(\d{2}:\d{2})$/);
  if (flags.between && !between) throw new Error('--between must be HH:mm-HH:mm, e.g. 12:00-13:30');
  const weekdays = flags.weekdays?.split(',').map(Number);
  if (weekdays?.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
    throw new Error('--weekdays must list ISO weekdays 1-7 (1 = Monday), e.g. 1,2,3,4,5');
  withStore(flags, (store, offset) => {
    try {
      const s = createSilence(
        store,
        {
          kind: flags.kind as 'silence' | 'maintenance',
          matchers: matchers(flags.match),
          startsAt: time('--from', flags.from, offset),
          endsAt: time('--to', flags.to, offset),
          ...(weekdays && between && { recurring: { weekdays, from: between[1]!, to: between[2]! } }),
          comment: flags.comment,
        },
        cliActor(),
        Date.now(),
      );
      process.stdout.write(
        `Created ${s.kind} ${s.id}: ${formatLocalTime(s.startsAt, offset)} – ${formatLocalTime(s.endsAt, offset)}.\n`,
      );
    } catch (err) {
      throw err instanceof HttpError ? new Error(err.message) : err;
    }
  });
}

export async function runSilenceList(flags: StoreFlags): Promise<void> {
  withStore(flags, (store, offset) => {
    const hhmm = (min: number) =>
      `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
    printTable(
      ['id', 'kind', 'matches', 'from', 'to', 'recurring', 'comment'],
      store.alerts.silences(Date.now()).map((s) => [
        String(s.id),
        s.kind,
        Object.entries(s.matchers)
          .map(([k, v]) => `${k}=${v.join(',')}`)
          .join(' '),
        formatLocalTime(s.startsAt, offset),
        formatLocalTime(s.endsAt, offset),
        s.recurring ? `${s.recurring.weekdays.join(',')} ${hhmm(s.recurring.fromMin)}-${hhmm(s.recurring.toMin)}` : '-',
        s.comment,
      ]),
    );
  });
}

export async function runSilenceDelete(flags: { id: number } & StoreFlags): Promise<void> {
  withStore(flags, (store) => {
    if (!store.alerts.deleteSilence(flags.id, cliActor(), Date.now()))
      throw new Error(`no active silence ${flags.id} (see: communewatch silence list)`);
    process.stdout.write(`Deleted silence ${flags.id}.\n`);
  });
}
