/**
 * `communewatch incident add|list|edit|delete`: incidents known from other sources (the helpdesk log, the
 * months before a commune had an agent), and corrections, from the server machine. Same rules and audit
 * trail as the API (server/outages/manual-incidents.ts); the actor is the OS user running the command.
 */
import { formatLocalTime } from '../common/local-time.js';
import { INCIDENT_CAUSES, type IncidentCause, type IncidentSeverity } from '../server/outages/incident.js';
import { deleteIncident, editIncident, recordIncident } from '../server/outages/manual-incidents.js';
import { HttpError } from '../server/errors.js';
import { cliActor as actor, printTable, timeFlag as time, withStore, type StoreFlags } from './store-access.js';

function cause(text: string): IncidentCause {
  if (!(INCIDENT_CAUSES as readonly string[]).includes(text))
    throw new Error(`--cause must be one of ${INCIDENT_CAUSES.join(', ')}`);
  return text as IncidentCause;
}

function severity(text: string | undefined): IncidentSeverity | undefined {
  if (text === undefined) return undefined;
  if (text !== 'down' && text !== 'degraded') throw new Error('--severity must be down or degraded');
  return text;
}

/** Domain errors carry an HTTP status for the API; on the command line only the message matters. */
function plain<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof HttpError) throw new Error(err.message);
    throw err;
  }
}

export async function runIncidentAdd(
  flags: {
    cause: string;
    service?: string;
    commune: string[];
    from: string;
    to?: string;
    severity?: string;
    note: string;
    notify?: boolean;
  } & StoreFlags,
): Promise<void> {
  withStore(flags, (store, offset) => {
    const inc = plain(() =>
      recordIncident(
        store,
        {
          cause: cause(flags.cause),
          severity: severity(flags.severity),
          service: flags.service,
          communes: flags.commune,
          startedAt: time('--from', flags.from, offset),
          endedAt: flags.to ? time('--to', flags.to, offset) : null,
          note: flags.note,
          notify: flags.notify === true,
        },
        actor(),
        Date.now(),
      ),
    );
    process.stdout.write(
      `Recorded incident ${inc.id} (${inc.cause}${inc.service ? `, ${inc.service}` : ''}, ` +
        `${inc.communes.map((c) => c.commune).join(', ')})` +
        `${inc.notify ? '; the alert receivers are notified by the running server' : ''}.\n`,
    );
  });
}

export async function runIncidentList(
  flags: { commune?: string; service?: string; open?: boolean; limit: number } & StoreFlags,
): Promise<void> {
  withStore(flags, (store, offset) => {
    const rows = store.incidents.list({
      commune: flags.commune,
      service: flags.service,
      openOnly: flags.open,
      limit: flags.limit,
    });
    printTable(
      ['id', 'cause', 'service', 'communes', 'from', 'to', 'flags'],
      rows.map((i) => [
        String(i.id),
        i.cause,
        i.service ?? '-',
        (i.commune ?? i.communes.map((c) => c.commune).join(',')) || '-',
        formatLocalTime(i.startedAt, offset),
        i.endedAt === null ? 'open' : formatLocalTime(i.endedAt, offset),
        [
          i.manual && 'manual',
          i.mergedInto !== null && `in #${i.mergedInto}`,
          i.corrected && 'corrected',
          i.superseded && 'superseded',
          i.flapping && 'flapping',
        ]
          .filter(Boolean)
          .join(' '),
      ]),
    );
  });
}

export async function runIncidentEdit(
  flags: {
    id: number;
    from?: string;
    to?: string;
    cause?: string;
    severity?: string;
    note?: string;
    reason: string;
  } & StoreFlags,
): Promise<void> {
  withStore(flags, (store, offset) => {
    const inc = plain(() =>
      editIncident(
        store,
        flags.id,
        {
          ...(flags.from && { startedAt: time('--from', flags.from, offset) }),
          ...(flags.to && { endedAt: flags.to === 'open' ? null : time('--to', flags.to, offset) }),
          ...(flags.cause && { cause: cause(flags.cause) }),
          ...(flags.severity && { severity: severity(flags.severity) }),
          ...(flags.note && { note: flags.note }),
          reason: flags.reason,
        },
        actor(),
        Date.now(),
      ),
    );
    process.stdout.write(
      `Corrected incident ${inc.id}: ${formatLocalTime(inc.startedAt, offset)} – ` +
        `${inc.endedAt === null ? 'open' : formatLocalTime(inc.endedAt, offset)}.\n`,
    );
  });
}

export async function runIncidentDelete(flags: { id: number; reason: string } & StoreFlags): Promise<void> {
  withStore(flags, (store) => {
    plain(() => deleteIncident(store, flags.id, flags.reason, actor(), Date.now()));
    process.stdout.write(`Deleted incident ${flags.id} (kept in the audit trail; no longer counted).\n`);
  });
}
