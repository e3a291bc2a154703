/**
 * The scenario harness: run one fault story on some communes of a world, wait (bounded) until the server
 * has settled it, then collect what it produced — the incidents touching those communes, the webhook
 * messages about them, uptime over the window, and whether the services kept working — and print a
 * compact summary. A scenario that could not run records its error instead of throwing, so the others go
 * on and the summary still shows what was there.
 */
import type { LabCommune, World } from '../multi-lab.js';
import { SERVICE_INTERVAL_SEC } from '../multi-lab.js';
import {
  communesOf,
  countsTowardsUptime,
  messageCommunes,
  type LabIncident,
  type LabMessage,
  type UptimeRowView,
} from './observe.js';
import { waitQuiet, waitUntilOrFalse } from './wait.js';

export interface ScenarioContext {
  /** Records a named time (epoch ms); several calls with one name make a list. */
  mark(name: string, at?: number): number;
  note(text: string): void;
}

export interface ScenarioOutcome {
  name: string;
  world: World;
  communes: string[];
  marks: Record<string, number[]>;
  windowStart: number;
  windowEnd: number;
  incidents: LabIncident[];
  messages: LabMessage[];
  uptime: Record<string, UptimeRowView[]>;
  /** Failed service (non-network) results per commune between the first and last mark. */
  serviceFailures: Record<string, number>;
  notes: string[];
  error?: Error;
}

export interface SettleOptions {
  /** How long incidents may stay open after the last mark before collecting anyway (default 30 s). */
  closeMs?: number;
  /** Messages must be quiet this long (default 5 s: group wait 2 s + tick + delivery). */
  quietMs?: number;
}

const touches = (i: LabIncident, codes: string[]) => communesOf(i).some((c) => codes.includes(c));
const overlaps = (i: LabIncident, from: number, to: number) => i.startedAt <= to && (i.endedAt ?? Infinity) >= from;

/** Open incidents that count and touch these communes. */
async function openIncidents(world: World, codes: string[], since: number): Promise<LabIncident[]> {
  return (await world.api.incidents(since)).filter(
    (i) => i.endedAt === null && countsTowardsUptime(i) && touches(i, codes),
  );
}

export async function runScenario(
  name: string,
  world: World,
  communes: LabCommune[],
  body: (ctx: ScenarioContext) => Promise<void>,
  settle: SettleOptions = {},
): Promise<ScenarioOutcome> {
  const codes = communes.map((c) => c.code);
  const marks: Record<string, number[]> = {};
  const notes: string[] = [];
  const aboutUs = () => world.messages().filter((m) => messageCommunes(m).some((c) => codes.includes(c))).length;
  // Start from a quiet commune: nothing open from an earlier scenario, no message still on its way.
  const quiet = await waitUntilOrFalse(
    () => openIncidents(world, codes, Date.now() - 600_000),
    (open) => open.length === 0,
    { timeoutMs: 30_000, everyMs: 500 },
  );
  if (!quiet) notes.push('started with an incident still open from before');
  await waitQuiet(aboutUs, 3000, 10_000);
  const windowStart = Date.now();
  const ctx: ScenarioContext = {
    mark(n, at = Date.now()) {
      (marks[n] ??= []).push(at);
      return at;
    },
    note: (t) => void notes.push(t),
  };
  let error: Error | undefined;
  try {
    await body(ctx);
  } catch (err) {
    error = err as Error;
  }
  const allMarks = Object.values(marks).flat();
  const lastMark = allMarks.length > 0 ? Math.max(...allMarks) : Date.now();
  const firstMark = allMarks.length > 0 ? Math.min(...allMarks) : windowStart;
  if (!error) {
    // Settled: each commune's results after the heal have arrived (backfill included), its incidents are
    // closed, and no message about it has arrived for quietMs.
    const after = lastMark + 2 * SERVICE_INTERVAL_SEC * 1000;
    for (const code of codes) {
      const arrived = await waitUntilOrFalse(
        () => world.newestResult(code, after, 'path-uplink'),
        (r) => r !== undefined,
        { timeoutMs: 45_000, everyMs: 500 },
      );
      if (!arrived) notes.push(`${code}: no result after the heal within 45 s`);
    }
    const closed = await waitUntilOrFalse(
      () => openIncidents(world, codes, windowStart - 600_000),
      (open) => open.length === 0,
      { timeoutMs: settle.closeMs ?? 30_000, everyMs: 500 },
    );
    if (!closed)
      notes.push(`incidents still open ${Math.round((settle.closeMs ?? 30_000) / 1000)} s after the last mark`);
    await waitQuiet(aboutUs, settle.quietMs ?? 5000, 30_000);
  }
  const windowEnd = Date.now();
  const outcome: ScenarioOutcome = {
    name,
    world,
    communes: codes,
    marks,
    windowStart,
    windowEnd,
    incidents: [],
    messages: [],
    uptime: {},
    serviceFailures: {},
    notes,
    ...(error && { error }),
  };
  try {
    outcome.incidents = (await world.api.incidents(windowStart - 600_000))
      .filter((i) => touches(i, codes) && overlaps(i, windowStart, windowEnd))
      .sort((a, b) => a.startedAt - b.startedAt);
    outcome.messages = world
      .messages()
      .filter(
        (m) =>
          m.receivedAt >= windowStart && m.receivedAt <= windowEnd && messageCommunes(m).some((c) => codes.includes(c)),
      );
    for (const code of codes) {
      outcome.uptime[code] = await world.api.uptime({ commune: code, from: windowStart, to: windowEnd });
      const results = await world.api.results({ commune: code, from: firstMark, to: lastMark, limit: 5000 });
      outcome.serviceFailures[code] = results.filter(
        (r) => !r.ok && r.service !== 'network' && (r.role ?? 'service') === 'service',
      ).length;
    }
  } catch (err) {
    outcome.error ??= err as Error;
  }
  console.log(summary(outcome));
  return outcome;
}

// ------------------------------------------------------------------------------------------ summary
const clock = (t: number) => new Date(t + 7 * 3_600_000).toISOString().slice(11, 21);
const sec = (ms: number) => `${ms >= 0 ? '+' : ''}${(ms / 1000).toFixed(1)}s`;

function itemText(
  a: {
    cause: string;
    id: number;
    layer: string | null;
    severity: string;
    startedAt: number;
    endedAt: number | null;
    flapping: boolean;
  },
  t0: number,
): string {
  return (
    `${a.cause}#${a.id} ${a.severity}${a.layer ? ` ${a.layer}` : ''}${a.flapping ? ' flapping' : ''} ` +
    `${sec(a.startedAt - t0)}→${a.endedAt === null ? 'open' : sec(a.endedAt - t0)}`
  );
}

/** A compact, stable text of what a scenario produced; times relative to its first mark. */
export function summary(o: ScenarioOutcome): string {
  const all = Object.values(o.marks).flat();
  const t0 = all.length > 0 ? Math.min(...all) : o.windowStart;
  const lines = [`── ${o.name} — ${o.world.name}, communes ${o.communes.join(', ')}; t0 ${clock(t0)} (UTC+7)`];
  lines.push(
    `   marks: ${
      Object.entries(o.marks)
        .map(([k, v]) => `${k} ${v.map((t) => sec(t - t0)).join(' ')}`)
        .join('; ') || '-'
    }`,
  );
  lines.push(`   incidents (${o.incidents.length}):`);
  for (const i of o.incidents) {
    const flags = [
      i.mergedInto !== null && `merged→#${i.mergedInto}`,
      i.superseded && 'superseded',
      i.corrected && 'corrected',
      i.deletedAt !== null && 'deleted',
    ]
      .filter(Boolean)
      .join(' ');
    const where =
      i.scope === 'central'
        ? `[${i.communes
            .map((c) => `${c.commune} ${sec(c.startedAt - t0)}→${c.endedAt === null ? 'open' : sec(c.endedAt - t0)}`)
            .join(', ')}]`
        : i.commune;
    const figures = i.figures ? ` figures=${JSON.stringify(i.figures)}` : '';
    lines.push(
      `     ${itemText(i, t0)} ${where}${i.service ? ` service=${i.service}` : ''}` +
        `${i.target ? ` target=${i.target}` : ''}${flags ? ` (${flags})` : ''}${figures}`,
    );
  }
  lines.push(`   messages (${o.messages.length}):`);
  for (const m of o.messages) {
    const items = [
      ...m.firing.map((a) => `FIRING ${itemText(a, t0)}`),
      ...m.resolved.map((a) => `RESOLVED ${itemText(a, t0)}`),
      ...m.confirmed.map((a) => `CONFIRMED ${itemText(a, t0)}`),
    ].join('; ');
    lines.push(`     ${sec(m.receivedAt - t0)} ${m.kind}${m.signatureOk ? '' : ' (BAD SIGNATURE)'}: ${items}`);
    lines.push(`       "${m.subject}"`);
  }
  const up = Object.entries(o.uptime).map(([c, rows]) => {
    const net = Math.max(0, ...rows.map((r) => r.networkDownMs));
    const svc = rows.map((r) => `${r.service} ${(r.serviceDownMs / 1000).toFixed(1)}s`).join(', ');
    return `${c}: networkDown ${(net / 1000).toFixed(1)}s; serviceDown ${svc || '-'}`;
  });
  lines.push(`   uptime: ${up.join(' | ') || '-'}`);
  lines.push(
    `   failed service results during the fault: ${
      Object.entries(o.serviceFailures)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ') || '-'
    }`,
  );
  for (const n of o.notes) lines.push(`   note: ${n}`);
  if (o.error) lines.push(`   ERROR: ${o.error.message.split('\n')[0]}`);
  return lines.join('\n');
}
