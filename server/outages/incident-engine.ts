/**
 * Turns results into incidents: what broke, where, whose side, from when to when — one fault, one incident.
 *
 * - A batch's results are applied in event time across all its targets (not target by target), each to its
 *   (commune, target) state machine (target-machine.ts).
 * - membership.ts says which incident a target's state belongs to: the commune's one network incident
 *   (path checks, network probes, services failing on the lan/uplink/dns layer), or a local-service
 *   incident of its own. A target is a member of at most one incident; it joins at the first result of the
 *   streak that put it there, leaves at the first result of its recovery (or, when flapping for that same
 *   cause, once it has stayed up `flap.stableSec`; the incident then ends at that recovery).
 * - An incident is rebuilt from its members at every change: open while it has any; down while a member
 *   is down (its `downSpans`), degraded otherwise; its layer the nearest of its members' (history in its
 *   events); its start moved back when a member with an earlier first failure joins.
 * - A commune never has two network incidents at once: a member joining at an instant the latest one still
 *   covered joins that one.
 * - After the batch, central-incidents.ts re-evaluates the services whose local incidents changed, and
 *   agent-silence.ts rewrites silent records once a reconnected agent's backlog is in. A backlog marks the
 *   commune as catching up (the alerts hold its news) until live checks show the link back.
 * - batch-state.ts holds the batch's machines; result-sample.ts turns a result into what the machine reads.
 *
 * Runs inside the ingest transaction (observe) and from a timer (checkSilence); never touches HTTP.
 */
import type { ResultToStore } from '../store/store.js';
import { AgentSilence, DEFAULT_INTERVAL_SEC, type BatchFacts, type SilenceDeps } from './agent-silence.js';
import { Batch, type Entry } from './batch-state.js';
import { CentralIncidents } from './central-incidents.js';
import { evidence, toSample } from './result-sample.js';
import { isDownNow, storedDownSpans, type DownSpan, type Incident } from './incident.js';
import { thresholdsFor } from './incident-config.js';
import { measuresNetwork, membership, mergeFigures, nearestLayer, sameMember } from './membership.js';
import { isFlapping, normaliseMachine, step, type MemberInfo, type Sample } from './target-machine.js';

export { silentAfterMs } from './agent-silence.js';

const ENGINE = 'engine';
/** Results at most this old (or two probe intervals) are live, not a backlog. */
const CATCH_UP_MIN_MS = 10_000;
/** A degraded member's figures are written to its incident every this many bad results (and at changes). */
const FIGURES_EVERY = 10;

export interface ObserveInput {
  agentId: number;
  commune: string;
  receivedAt: number;
  /** Newly stored results of the batch (duplicates excluded). */
  results: ResultToStore[];
  /** The agent's outbox size when it sent this batch (this batch included), if it said. */
  outboxPending?: number;
  /** Records in this batch (results, health, inventory), to tell a drained outbox. */
  batchRecords: number;
  probeIntervalSec?: number;
}

/** What the engine (and its parts: agent silence, central incidents) works with. */
export type IncidentEngineDeps = SilenceDeps;

export class IncidentEngine {
  private readonly central: CentralIncidents;
  private readonly silence: AgentSilence;

  constructor(private readonly deps: IncidentEngineDeps) {
    this.central = new CentralIncidents(deps);
    this.silence = new AgentSilence(deps);
  }

  /** Feeds a stored batch; call inside the transaction that stored it. */
  observe(input: ObserveInput): void {
    const { store } = this.deps;
    // One lookup per batch on the hot path; the silence handling below runs only for an agent that has one.
    const silent = store.silentFor(input.agentId);
    const facts: BatchFacts = { ...input, newestResultTs: input.results.reduce((max, r) => Math.max(max, r.ts), 0) };
    if (silent.length > 0) this.silence.back(facts, silent);
    const batch = new Batch(store);
    const ordered = [...input.results].sort(
      (a, b) => a.ts - b.ts || (a.target < b.target ? -1 : a.target > b.target ? 1 : 0),
    );
    // Every target of the batch is loaded (with its path role) before any is judged, so a gateway's
    // failure can be read against the uplink's state whichever comes first.
    const entries = ordered.map((r) => batch.entry(input.commune, r.target, r.ts, r.role));
    ordered.forEach((r, k) => entries[k] && this.feed(batch, entries[k], r));
    batch.saveAll();
    // Open local incidents that learnt more may now be known to overlap others: decide again. A backlog
    // can also extend what is known of a central incident's members, which may bring others in.
    const backlog = isBacklog(input);
    // (Live, only worth it when another commune has the same service failing: one query, no records.)
    const others = new Map<string, boolean>();
    for (const { service, since } of batch.openLocalServices(backlog)) {
      if (!others.has(service)) others.set(service, backlog || store.openLocalCommunes(service) >= 2);
      if (others.get(service)) batch.touch(service, since);
    }
    for (const [service, since] of batch.touched) this.central.evaluate(service, since, input.receivedAt);
    if (silent.length > 0) this.silence.finishBackfill(facts);
    this.trackCatchUp(input, backlog);
  }

  /**
   * A backlog (isBacklog) means the agent was cut off: the commune is catching up. It has
   * caught up when a batch, with the outbox empty, carries a check made after the latest late batch came —
   * measured with the link back. Until then the alerts hold its news (the incidents are already right).
   */
  private trackCatchUp(input: ObserveInput, backlog: boolean): void {
    const { store } = this.deps;
    if (input.results.length === 0) return;
    if (backlog) {
      store.setCatchingUp(input.commune, input.receivedAt);
      return;
    }
    const last = store.catchingUpLast(input.commune);
    if (last === undefined || !input.results.some((r) => r.ts >= last)) return;
    // Every check in one of the commune's open incidents must have spoken since: one whose latest result
    // is a probe started before the link came back would make a FIRING of what is already over.
    const open = store
      .list({ commune: input.commune, openOnly: true, limit: 100 })
      .filter((i) => i.scope === 'local' && i.cause !== 'agent-silent');
    if (open.every((i) => store.members(i.id).every((m) => m.machine.lastTs >= last)))
      store.setCatchingUp(input.commune, null);
  }

  /** Opens agent-silent incidents for agents quiet for too long; call every agentSilent.checkEverySec. */
  checkSilence(now: number): void {
    this.silence.check(now);
  }

  // ------------------------------------------------------------------------------------------ one result
  private feed(batch: Batch, e: Entry, r: ResultToStore): void {
    const th = thresholdsFor(this.deps.config, e.target.service);
    const networkCheck = measuresNetwork(e.target.service, r.role);
    const { machine, transition, sample } = step(e.machine, toSample(r, networkCheck), th);
    if (machine === e.machine) return; // a late result: its time has been judged already
    e.machine = r.role ? { ...machine, role: r.role } : machine;
    let want = membership(e.machine, networkCheck, r.role);
    // A gateway that stops answering ping while the hops beyond it answer is ignoring ping, not broken.
    if (want && r.role === 'gateway' && batch.pathBeyondUp(e.target.commune)) want = undefined;
    // A service that is slow while the commune's own network is failing or congested is slow because of it:
    // part of the network's story, not the vendor's.
    let slowBecauseOfNetwork = false;
    if (want?.cause === 'service' && want.severity === 'degraded') {
      const net = batch.openNetwork(e.target.commune);
      if (net) {
        want = { cause: 'network', severity: 'degraded', layer: net.layer };
        slowBecauseOfNetwork = true;
      }
    }
    const cur = e.machine.member;
    if (!want) {
      if (!cur) return;
      if (!cur.held) {
        if (transition?.to === 'up' && th.flap.stableSec > 0 && isFlapping(e.machine, th, cur.cause))
          return this.hold(batch, e, cur, transition.at, th.flap.stableSec, true);
        // A congested or lossy link comes and goes by the minute: a network check recovering from bad
        // successes (lossy, slow; not from failing) stays in its incident a while, so one congested
        // afternoon is one incident, not ten. It ends, once stable, at that recovery.
        if (
          transition?.to === 'up' &&
          transition.from === 'degraded' &&
          cur.cause === 'network' &&
          th.degradedHoldSec > 0
        )
          return this.hold(batch, e, cur, transition.at, th.degradedHoldSec, false);
        return this.leave(batch, e, transition?.at ?? sample.ts, sample);
      }
      if (sample.ts - e.machine.since >= (cur.holdSec ?? th.flap.stableSec) * 1000)
        this.leave(batch, e, e.machine.since, sample);
      return;
    }
    const at = transition && transition.to !== 'up' ? transition.at : sample.ts;
    if (!cur) this.join(batch, e, want, at);
    else if (cur.cause !== want.cause) {
      // A change of cause needs as many results as an outage does: one 'service' failure inside a network
      // outage is not yet the vendor's.
      const run = e.machine.causeRun;
      const since = slowBecauseOfNetwork
        ? at
        : run && run.cause === want.cause && run.count >= th.failuresToOpen
          ? run.since
          : undefined;
      if (since === undefined) return;
      this.leave(batch, e, since);
      this.join(batch, e, want, since);
    } else if (!sameMember(cur, want)) {
      e.machine = { ...e.machine, member: want };
      batch.persist(e);
      this.rebuild(batch, e.incidentId!, at, e);
    } else if (sample.bad && (e.machine.stats?.latencies.length ?? 0) % FIGURES_EVERY === 0) {
      this.writeFigures(e.incidentId!, e);
    }
    if (e.incidentId !== null && (!sample.ok || sample.bad))
      this.deps.store.addEvidence(e.incidentId, [evidence(e.target, sample)], this.deps.config.evidencePerIncident);
  }

  // ------------------------------------------------------------------------------------------ membership
  private join(batch: Batch, e: Entry, want: MemberInfo, at: number): void {
    const { store, config } = this.deps;
    const commune = e.target.commune;
    let inc: Incident | undefined;
    if (want.cause === 'network') {
      inc = store.findOpen({ cause: 'commune-network', commune });
      const last = inc ?? store.latestNetwork(commune);
      // Results applied out of order (a second agent, a late batch) must not make two network incidents
      // that overlap: the one that still covered this instant takes the member back.
      if (!inc && last && last.endedAt !== null && last.endedAt > at) {
        store.update(last.id, { endedAt: null }, at);
        store.addEvent(last.id, {
          at,
          kind: 'reopened',
          actor: ENGINE,
          detail: { target: e.target.name, reason: 'a late result shows the network was still failing' },
        });
        inc = store.get(last.id);
      }
    }
    if (inc) {
      store.addEvent(inc.id, {
        at,
        kind: 'target-added',
        actor: ENGINE,
        detail: { target: e.target.name, layer: want.layer },
      });
      if (at < inc.startedAt) {
        store.update(inc.id, { startedAt: at }, at);
        store.addEvent(inc.id, {
          at,
          kind: 'start-moved',
          actor: ENGINE,
          detail: { target: e.target.name, before: inc.startedAt },
        });
      }
    } else {
      const network = want.cause === 'network';
      const id = store.create({
        scope: 'local',
        cause: network ? 'commune-network' : 'local-service',
        severity: want.severity,
        commune,
        ...(!network && { service: e.target.service, targetId: e.target.id }),
        layer: want.layer,
        startedAt: at,
        downSpans: want.severity === 'down' ? [[at, null]] : [],
        now: at,
      });
      store.addEvent(id, {
        at,
        kind: 'opened',
        actor: ENGINE,
        detail: { target: e.target.name, layer: want.layer, severity: want.severity },
      });
      this.deps.onChange?.(id, 'opened');
      if (!network) batch.touch(e.target.service, at);
      inc = store.get(id)!;
    }
    e.incidentId = inc.id;
    e.machine = { ...e.machine, member: want };
    batch.persist(e);
    store.addEvidence(
      inc.id,
      e.machine.recent.filter((s) => s.ts >= at).map((s) => evidence(e.target, s)),
      config.evidencePerIncident,
    );
    this.rebuild(batch, inc.id, at, e);
  }

  /** Recovered, but flapping for the same cause (or only ever degraded): stays in its incident until stable for holdSec. */
  private hold(batch: Batch, e: Entry, cur: MemberInfo, at: number, holdSec: number, flapping: boolean): void {
    const { store } = this.deps;
    this.writeFigures(e.incidentId!, e);
    e.machine = { ...e.machine, member: { ...cur, held: true, holdSec } };
    batch.persist(e);
    const inc = store.get(e.incidentId!);
    if (flapping && inc && !inc.flapping) {
      store.update(inc.id, { flapping: true }, at);
      store.addEvent(inc.id, {
        at,
        kind: 'flapping',
        actor: ENGINE,
        detail: { target: e.target.name, changes: e.machine.flips.filter((f) => f.cause === cur.cause).length },
      });
    }
    // Held is as good as recovered for the incident's name: the layer does not move farther.
    this.rebuild(batch, e.incidentId!, at, e, true);
  }

  private leave(batch: Batch, e: Entry, at: number, recovery?: Sample): void {
    const { store, config } = this.deps;
    const id = e.incidentId;
    if (id === null) return;
    this.writeFigures(id, e);
    if (recovery) store.addEvidence(id, [evidence(e.target, recovery)], config.evidencePerIncident);
    e.incidentId = null;
    e.machine = { ...e.machine, member: undefined, stats: undefined };
    batch.persist(e);
    store.addEvent(id, { at, kind: 'target-left', actor: ENGINE, detail: { target: e.target.name } });
    this.rebuild(batch, id, at, e, true);
  }

  /**
   * An incident from its members: ends when the last one left (at the latest leave), down while one is
   * down, its layer the nearest. Announces what changed.
   */
  private rebuild(batch: Batch, id: number, at: number, e: Entry, leaving = false): void {
    const { store } = this.deps;
    const inc = store.get(id);
    if (!inc || inc.manual) return;
    const all = store.members(id).map((m) => normaliseMachine(m.machine).member);
    const members = all.filter((m): m is MemberInfo => m !== undefined && !m.held);
    const held = all.length - members.length;
    if (inc.endedAt !== null && all.length === 0) return;
    const spans: DownSpan[] = storedDownSpans(inc).map(([s, x]) => [s, x]);
    const last = spans.at(-1);
    const down = members.some((m) => m.severity === 'down');
    const open = members.length + held > 0;
    const endedAt = open ? null : Math.max(at, inc.startedAt, ...this.leaveTimes(id, inc));
    if (down && (!last || last[1] !== null)) {
      if (last && last[1]! >= at) last[1] = null;
      else spans.push([Math.max(at, inc.startedAt), null]);
    } else if (!down && last && last[1] === null) last[1] = Math.max(endedAt ?? at, last[0]);
    const severity = spans.length > 0 ? 'down' : 'degraded';
    // The layer moves nearer as members join (the uplink, then the LAN), but not farther as they recover:
    // the incident is named after the nearest fault it had, whatever order its checks recover in.
    const nearest = nearestLayer(members.map((m) => m.layer));
    const layer = nearest === null || (leaving && nearestLayer([nearest, inc.layer]) !== nearest) ? inc.layer : nearest;
    store.update(id, { downSpans: spans, severity, layer, endedAt }, at);
    // A network incident's layer can move (the uplink, then the LAN): keep its history. A service
    // incident's layer just follows its severity (slow, then failing).
    if (layer !== inc.layer && inc.layer !== null && inc.cause === 'commune-network')
      store.addEvent(id, {
        at,
        kind: 'layer-changed',
        actor: ENGINE,
        detail: { from: inc.layer, to: layer, target: e.target.name },
      });
    const wasDown = isDownNow(inc);
    if (endedAt !== null) {
      store.addEvent(id, { at: endedAt, kind: 'resolved', actor: ENGINE, detail: { target: e.target.name } });
      if (inc.mergedInto !== null) this.central.refresh(inc.mergedInto, at);
      else this.deps.onChange?.(id, 'resolved');
      if (inc.cause === 'local-service') batch.touch(inc.service!, inc.startedAt);
      return;
    }
    if (down !== wasDown)
      store.addEvent(id, {
        at,
        kind: down ? 'worsened' : 'eased',
        actor: ENGINE,
        detail: { target: e.target.name, severity: down ? 'down' : 'degraded' },
      });
    if (inc.mergedInto !== null) this.central.refresh(inc.mergedInto, at);
    else if (down !== wasDown || layer !== inc.layer || severity !== inc.severity)
      this.deps.onChange?.(id, down !== wasDown ? (down ? 'worsened' : 'eased') : 'layer-changed');
  }

  /** When members left before the last one: the incident ends at the latest of those. */
  private leaveTimes(id: number, inc: Incident): number[] {
    return this.deps.store
      .events(id)
      .filter((ev) => ev.kind === 'target-left' && ev.at >= inc.startedAt)
      .map((ev) => ev.at);
  }

  private writeFigures(id: number, e: Entry): void {
    if (e.machine.member?.severity !== 'degraded' && e.machine.member?.cause !== 'network') return;
    const inc = this.deps.store.get(id);
    if (!inc) return;
    const figures = mergeFigures(
      inc.figures,
      e.target.name,
      e.machine,
      thresholdsFor(this.deps.config, e.target.service),
    );
    if (figures && JSON.stringify(figures) !== JSON.stringify(inc.figures))
      this.deps.store.update(id, { figures }, e.machine.lastTs);
  }
}

/**
 * Results older than two probe intervals (counted from when each check ended), or sent with more still in
 * the outbox: the agent was cut off and is sending what it buffered.
 */
function isBacklog(input: ObserveInput): boolean {
  if (input.results.length === 0) return false;
  const freshMs = Math.max(2 * (input.probeIntervalSec ?? DEFAULT_INTERVAL_SEC) * 1000, CATCH_UP_MIN_MS);
  const oldestEnd = input.results.reduce(
    (min, r) => Math.min(min, r.ts + (r.durationMs ?? 0)),
    Number.POSITIVE_INFINITY,
  );
  const more = input.outboxPending !== undefined && input.outboxPending > input.batchRecords;
  return more || input.receivedAt - oldestEnd > freshMs;
}
