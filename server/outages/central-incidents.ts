/**
 * Central incidents: the same service class failing at many communes together is the vendor's (or the
 * province's) outage, not each commune's.
 *
 * The rule is a function of facts that later results cannot revise, so it gives the same answer whatever
 * order the results arrived in (live, or hours later from an agent's outbox):
 *
 * - A local incident X is known to span [start, E(X)): E is its end once it has ended, and while it is open
 *   the first success of a recovery under way, or else just after its latest result. Its final end is never
 *   earlier. (Treating an open incident as endless would make a decision later results take back: a
 *   commune that was already recovering would be counted as failing with the others.)
 * - Local incidents are *together* at an instant p when each started at most `overlapSec` before p and is
 *   known to span p. A central incident opens for the first instant (tried at each local start) where the
 *   communes together reach `minCommunes`, or `minShare` of those probing the service (with at least
 *   `minCommunesForShare`); it starts at the earliest of their starts.
 * - A later local incident joins a central one when it starts before the central one is known to end and
 *   no earlier than `overlapSec` before it began, and is known to span its start. A local incident that had
 *   ended before the others started is never pulled in: an ended incident is never reopened by a new one.
 * - Each batch re-evaluates the services whose local incidents changed or learnt more, so a decision waits
 *   for the facts (a commune cut off from the server is decided when its backlog arrives) but never longer.
 *
 * Each commune of a central incident has its own start and end (from its local incidents); the central one
 * ends with the last commune that recovers. Runs after each ingest batch, inside its transaction.
 */
import type { Logger } from 'pino';
import type { IncidentStore } from '../store/incident-store.js';
import { counts, type Incident } from './incident.js';
import type { IncidentConfig } from './incident-config.js';
import { recoverySince } from './target-machine.js';

const ENGINE = 'engine';

export interface CentralDeps {
  store: IncidentStore;
  config: IncidentConfig;
  log?: Pick<Logger, 'info' | 'warn'>;
  onChange?: (incidentId: number, kind: string) => void;
}

export class CentralIncidents {
  constructor(private readonly deps: CentralDeps) {}

  /** Re-evaluates a service's central incidents around `since` (the earliest change of this batch). */
  evaluate(service: string, since: number, now: number): void {
    const overlap = this.deps.config.central.overlapSec * 1000;
    const around = this.deps.store.serviceIncidents(service, since - 2 * overlap, Number.MAX_SAFE_INTEGER);
    const known = new Map<number, number>();
    const until = (x: Incident) => {
      let e = known.get(x.id);
      if (e === undefined) known.set(x.id, (e = this.knownUntil(x)));
      return e;
    };
    const centrals = around.filter((i) => i.cause === 'central-service' && counts_(i));
    const centralUntil = (c: Incident) =>
      c.endedAt !== null
        ? c.endedAt
        : Math.max(c.startedAt + 1, ...this.deps.store.mergedLocals(c.id).filter(counts_).map(until));
    let locals = around.filter((i) => i.cause === 'local-service' && i.mergedInto === null && counts(i));
    const joinExisting = () => {
      locals = locals.filter((x) => {
        const c = centrals.find(
          (c) => x.startedAt >= c.startedAt - overlap && x.startedAt < centralUntil(c) && until(x) > c.startedAt,
        );
        if (!c) return true;
        this.merge(x, c.id, now);
        this.refresh(c.id, now);
        return false;
      });
    };
    joinExisting();
    // Every round either forms a central incident out of at least two locals or stops.
    for (let guard = locals.length; guard > 0; guard--) {
      const formed = this.form(service, locals, until, overlap, now);
      if (!formed) break;
      centrals.push(formed.central);
      locals = locals.filter((x) => !formed.merged.has(x.id));
      joinExisting();
    }
  }

  /** Tries each local start as the instant p; opens a central incident for the first p that qualifies. */
  private form(
    service: string,
    locals: Incident[],
    until: (x: Incident) => number,
    overlap: number,
    now: number,
  ): { central: Incident; merged: Set<number> } | undefined {
    const { store, config } = this.deps;
    const c = config.central;
    const starts = [...new Set(locals.map((x) => x.startedAt))].sort((a, b) => a - b);
    for (const p of starts) {
      const together = locals.filter((x) => x.startedAt <= p && p - x.startedAt <= overlap && until(x) > p);
      const communes = new Set(together.map((x) => x.commune));
      if (communes.size < Math.min(c.minCommunes, c.minCommunesForShare)) continue;
      const probing = Math.max(store.probingCommunes(service, p - 86_400_000), communes.size);
      const byCount = communes.size >= c.minCommunes;
      if (!byCount && !(communes.size >= c.minCommunesForShare && communes.size / probing >= c.minShare)) continue;
      const startedAt = Math.min(...together.map((x) => x.startedAt));
      const severity = together.some((x) => x.severity === 'down') ? 'down' : 'degraded';
      const id = store.create({
        scope: 'central',
        cause: 'central-service',
        severity,
        service,
        layer: mostCommon(together.map((x) => x.layer)),
        startedAt,
        now,
      });
      store.addEvent(id, {
        at: p,
        kind: 'opened',
        actor: ENGINE,
        detail: { communes: [...communes], probing, rule: byCount ? 'minCommunes' : 'minShare' },
      });
      for (const x of together) {
        this.merge(x, id, now, false);
        store.addEvidence(id, store.evidence(x.id, 5), config.evidencePerIncident);
      }
      this.refresh(id, now, false);
      this.deps.log?.warn(
        { incident: id, service, communes: communes.size, probing },
        'central incident: the service fails at many communes',
      );
      this.deps.onChange?.(id, 'opened');
      return { central: store.get(id)!, merged: new Set(together.map((x) => x.id)) };
    }
    return undefined;
  }

  /** What is known of a local incident's end: see the header. */
  private knownUntil(x: Incident): number {
    if (x.endedAt !== null) return x.endedAt;
    const m = x.targetId !== null ? this.deps.store.machine(x.targetId)?.machine : undefined;
    if (!m) return Number.POSITIVE_INFINITY;
    // Recovering (or held while flapping): it ends then at the earliest; still failing: just after its latest.
    return recoverySince(m) ?? m.lastTs + 1;
  }

  private merge(local: Incident, centralId: number, now: number, announce = true): void {
    const { store, config } = this.deps;
    store.update(local.id, { mergedInto: centralId }, now);
    store.addEvent(local.id, { at: now, kind: 'merged', actor: ENGINE, detail: { into: centralId } });
    // Its own notifications stop here; the central incident speaks for it from now on.
    this.deps.onChange?.(local.id, 'merged');
    if (!announce) return;
    store.addEvent(centralId, {
      at: local.startedAt,
      kind: 'commune-added',
      actor: ENGINE,
      detail: { commune: local.commune },
    });
    store.addEvidence(centralId, store.evidence(local.id, 5), config.evidencePerIncident);
    this.deps.onChange?.(centralId, 'commune-added');
  }

  /**
   * Rebuilds a central incident from its local incidents: each commune's start and end, its severity,
   * and its own end (with the last commune). Call after a merged local incident changed.
   */
  refresh(centralId: number, now: number, announce = true): void {
    const { store } = this.deps;
    const central = store.get(centralId);
    if (!central) return;
    const locals = store.mergedLocals(centralId).filter(counts_);
    if (locals.length === 0) return;
    const byCommune = new Map<string, { startedAt: number; endedAt: number | null }>();
    for (const x of locals) {
      const prev = byCommune.get(x.commune!);
      const endedAt =
        x.endedAt === null || prev?.endedAt === null ? null : Math.max(prev?.endedAt ?? x.endedAt, x.endedAt);
      byCommune.set(x.commune!, { startedAt: Math.min(prev?.startedAt ?? x.startedAt, x.startedAt), endedAt });
    }
    const before = new Map(central.communes.map((c) => [c.commune, c.endedAt]));
    for (const [commune, span] of byCommune) store.setCommune(centralId, { commune, ...span });
    const spans = [...byCommune.values()];
    const endedAt = spans.some((s) => s.endedAt === null) ? null : Math.max(...spans.map((s) => s.endedAt!));
    const startedAt = Math.min(central.startedAt, ...spans.map((s) => s.startedAt));
    const severity = locals.some((x) => x.severity === 'down') ? 'down' : 'degraded';
    store.update(centralId, { endedAt, startedAt, severity }, now);
    if (!announce) return;
    if (central.endedAt === null && endedAt !== null) {
      store.addEvent(centralId, { at: endedAt, kind: 'resolved', actor: ENGINE, detail: {} });
      this.deps.onChange?.(centralId, 'resolved');
    } else if (central.endedAt !== null && endedAt === null) {
      store.addEvent(centralId, {
        at: now,
        kind: 'corrected',
        actor: ENGINE,
        detail: { reason: 'late results of a commune show it was still failing', before: { endedAt: central.endedAt } },
      });
      this.deps.onChange?.(centralId, 'corrected');
    } else if ([...byCommune].some(([c, s]) => s.endedAt !== null && before.get(c) === null)) {
      for (const [c, s] of byCommune)
        if (s.endedAt !== null && before.get(c) === null)
          store.addEvent(centralId, {
            at: s.endedAt,
            kind: 'commune-recovered',
            actor: ENGINE,
            detail: { commune: c },
          });
      this.deps.onChange?.(centralId, 'commune-recovered');
    } else if (severity !== central.severity) {
      this.deps.onChange?.(centralId, 'worsened');
    }
  }
}

const counts_ = (i: Incident) => i.deletedAt === null && !i.superseded;

function mostCommon(values: Array<string | null>): string | null {
  const n = new Map<string, number>();
  for (const v of values) if (v !== null) n.set(v, (n.get(v) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}
