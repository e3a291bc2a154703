/**
 * Agent silence and backfill. A commune that loses power or its link stops pushing: after a few of its probe
 * intervals the server opens an `agent-silent` incident — all it knows is that it lost contact. When the
 * agent reconnects, the silent incident ends, and its buffered results arrive (in several batches for a
 * long outage) and drive the state machines with their real times. Once the backlog is in, the silent
 * record is rewritten from the data: superseded if the agent kept probing all along, or trimmed to the
 * spans with no results at all (the PC was off).
 *
 * While `backfillUntil` is set the commune's story is still arriving: central incidents leave the commune
 * out and alerts hold its messages until then, so the story is told once, whole.
 */
import type { Logger } from 'pino';
import type { AgentSummary } from '../store/store.js';
import type { IncidentStore } from '../store/incident-store.js';
import type { Incident } from './incident.js';
import type { IncidentConfig } from './incident-config.js';

const ENGINE = 'engine';
/** An agent that does not report its probe interval is taken to probe every minute. */
export const DEFAULT_INTERVAL_SEC = 60;

export interface SilenceDeps {
  store: IncidentStore;
  config: IncidentConfig;
  listAgents: () => AgentSummary[];
  log?: Pick<Logger, 'info' | 'warn'>;
  /** Called after a change to an incident is stored (alerts hook in here). */
  onChange?: (incidentId: number, kind: string) => void;
}

export interface BatchFacts {
  agentId: number;
  commune: string;
  receivedAt: number;
  /** Result times of the batch. */
  newestResultTs: number;
  outboxPending?: number;
  batchRecords: number;
  probeIntervalSec?: number;
}

export function silentAfterMs(config: IncidentConfig, probeIntervalSec: number | undefined): number {
  return (
    Math.max(
      config.agentSilent.minSec,
      config.agentSilent.afterIntervals * (probeIntervalSec ?? DEFAULT_INTERVAL_SEC),
    ) * 1000
  );
}

export class AgentSilence {
  constructor(private readonly deps: SilenceDeps) {}

  /** Opens agent-silent incidents for agents quiet for too long. */
  check(now: number): void {
    const { store, config } = this.deps;
    for (const agent of this.deps.listAgents()) {
      if (agent.revokedAt !== null || agent.lastPushAt === null) continue;
      const afterMs = silentAfterMs(config, agent.lastStatus?.probeIntervalSec);
      if (now - agent.lastPushAt <= afterMs) continue;
      if (store.silentFor(agent.id).some((i) => i.endedAt === null)) continue;
      const id = store.create({
        scope: 'local',
        cause: 'agent-silent',
        severity: 'down',
        commune: agent.commune,
        agentId: agent.id,
        startedAt: agent.lastPushAt,
        now,
      });
      store.addEvent(id, {
        at: agent.lastPushAt,
        kind: 'opened',
        actor: ENGINE,
        detail: { agent: agent.name, lastPushAt: agent.lastPushAt, silentAfterMs: afterMs },
      });
      this.deps.log?.warn(
        { incident: id, commune: agent.commune, agent: agent.name },
        'agent silent: no push from the commune',
      );
      this.deps.onChange?.(id, 'opened');
    }
  }

  /** The agent pushed again: its open silent incidents end now, and wait for the backlog. */
  back(facts: BatchFacts, silent: Incident[]): void {
    const { store } = this.deps;
    for (const inc of silent) {
      if (inc.endedAt !== null) continue;
      store.update(inc.id, { endedAt: facts.receivedAt, backfillUntil: facts.receivedAt }, facts.receivedAt);
      store.addEvent(inc.id, {
        at: facts.receivedAt,
        kind: 'agent-back',
        actor: ENGINE,
        detail: { outboxPending: facts.outboxPending ?? null },
      });
      this.deps.onChange?.(inc.id, 'resolved');
    }
  }

  /** Once the agent's backlog has arrived, rewrites its silent incidents; returns whether it did. */
  finishBackfill(facts: BatchFacts): boolean {
    const { store, config } = this.deps;
    const pending = store.silentFor(facts.agentId).filter((i) => i.backfillUntil !== null);
    if (pending.length === 0) return false;
    const intervalMs = (facts.probeIntervalSec ?? DEFAULT_INTERVAL_SEC) * 1000;
    const drained =
      facts.outboxPending !== undefined
        ? facts.outboxPending <= facts.batchRecords
        : facts.newestResultTs >= Math.min(...pending.map((i) => i.backfillUntil!)) - 2 * intervalMs;
    if (!drained) return false;
    const gapMs = silentAfterMs(config, facts.probeIntervalSec);
    for (const inc of pending) this.rewrite(inc, facts, gapMs);
    return true;
  }

  private rewrite(inc: Incident, facts: BatchFacts, gapMs: number): void {
    const { store } = this.deps;
    const until = inc.backfillUntil!;
    const times = store.agentResultTimes(facts.agentId, facts.commune, inc.startedAt, until);
    const gaps: Array<{ start: number; end: number }> = [];
    let last = inc.startedAt;
    for (const t of [...times, until]) {
      if (t - last > gapMs) gaps.push({ start: last, end: t });
      last = Math.max(last, t);
    }
    const before = { startedAt: inc.startedAt, endedAt: inc.endedAt };
    if (gaps.length === 0) {
      store.update(
        inc.id,
        {
          superseded: true,
          corrected: true,
          backfillUntil: null,
          statusNote: 'the agent kept probing while cut off from the server; its buffered results replace this record',
        },
        facts.receivedAt,
      );
      store.addEvent(inc.id, {
        at: facts.receivedAt,
        kind: 'corrected',
        actor: ENGINE,
        detail: { before, superseded: true, results: times.length },
      });
    } else {
      const [first, ...rest] = gaps as [{ start: number; end: number }, ...Array<{ start: number; end: number }>];
      const note = 'rewritten from the results the agent buffered: no results at all in this span (agent or PC off)';
      store.update(
        inc.id,
        { startedAt: first.start, endedAt: first.end, corrected: true, backfillUntil: null, statusNote: note },
        facts.receivedAt,
      );
      store.addEvent(inc.id, {
        at: facts.receivedAt,
        kind: 'corrected',
        actor: ENGINE,
        detail: { before, after: first, results: times.length },
      });
      for (const g of rest) {
        const id = store.create({
          scope: 'local',
          cause: 'agent-silent',
          severity: 'down',
          commune: facts.commune,
          agentId: facts.agentId,
          startedAt: g.start,
          endedAt: g.end,
          corrected: true,
          statusNote: note,
          now: facts.receivedAt,
        });
        store.addEvent(id, {
          at: facts.receivedAt,
          kind: 'corrected',
          actor: ENGINE,
          detail: { splitFrom: inc.id, after: g },
        });
        this.deps.onChange?.(id, 'corrected');
      }
    }
    this.deps.log?.info(
      { incident: inc.id, gaps: gaps.length, results: times.length },
      'agent-silent incident rewritten from backfilled results',
    );
    this.deps.onChange?.(inc.id, 'corrected');
  }
}
