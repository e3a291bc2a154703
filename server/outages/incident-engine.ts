/**
 * Turns results into incidents: what broke, where, whose side, from when to when.
 *
 * - Each (commune, target) runs the state machine of target-machine.ts on its results in event time.
 * - A target going down or degraded opens or joins an incident:
 *     - path checks (gateway, resolvers, uplink, data centre) and failures placed on the `lan`, `uplink` or
 *       `dns` layer → the commune's one `commune-network` incident;
 *     - anything else → a `local-service` incident for that target; when the same service class fails at
 *       `central.minCommunes` communes (or `central.minShare` of those probing it) within `overlapSec`, one
 *       `central-service` incident takes them over, listing each commune with its own start and end.
 * - An agent with no push for a few probe intervals gets an `agent-silent` incident. When it reconnects and
 *   its buffered results arrive, they drive the machines above with their real times (backfill), and the
 *   silent incident is corrected: dropped as superseded if the agent kept probing, or trimmed to the span
 *   with no results at all (the PC was off). It says so in its status note and timeline.
 *
 * Runs inside the ingest transaction (observe) and from a timer (checkSilence); never touches HTTP.
 */
import type { Logger } from 'pino';
import type { AgentSummary, ResultToStore } from '../store/store.js';
import type { IncidentStore, TargetRow } from '../store/sqlite-incidents.js';
import { NETWORK_LAYERS, PATH_ROLES, counts, type EvidenceRow, type Incident, type IncidentSeverity } from './incident.js';
import { thresholdsFor, type IncidentConfig } from './incident-config.js';
import { initialMachine, isFlapping, step, type Machine, type Sample, type Transition } from './target-machine.js';

const ENGINE = 'engine';
const DEFAULT_INTERVAL_SEC = 60;
const SEVERITY_RANK: Record<IncidentSeverity, number> = { degraded: 1, down: 2 };

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

export interface IncidentEngineDeps {
  store: IncidentStore;
  config: IncidentConfig;
  listAgents: () => AgentSummary[];
  log?: Pick<Logger, 'info' | 'warn'>;
  /** Called after a change to an incident is stored (alerts hook in here). */
  onChange?: (incidentId: number, kind: string) => void;
}

export class IncidentEngine {
  constructor(private readonly deps: IncidentEngineDeps) {}

  /** Feeds a stored batch; call inside the transaction that stored it. */
  observe(input: ObserveInput): void {
    // One lookup per batch on the hot path; the silence handling below runs only for an agent that has one.
    const silent = this.deps.store.silentFor(input.agentId);
    if (silent.length > 0) this.agentBack(input, silent);
    const byTarget = new Map<string, ResultToStore[]>();
    for (const r of input.results) {
      const list = byTarget.get(r.target);
      if (list) list.push(r);
      else byTarget.set(r.target, [r]);
    }
    for (const [name, results] of byTarget) {
      const target = this.deps.store.target(input.commune, name);
      if (!target) continue;
      results.sort((a, b) => a.ts - b.ts);
      this.feedTarget(target, results);
    }
    if (silent.length > 0) this.finishBackfill(input);
  }

  /** Opens agent-silent incidents for agents quiet for too long; call every agentSilent.checkEverySec. */
  checkSilence(now: number): void {
    const { store, config } = this.deps;
    for (const agent of this.deps.listAgents()) {
      if (agent.revokedAt !== null || agent.lastPushAt === null) continue;
      const afterMs = silentAfterMs(config, agent.lastStatus?.probeIntervalSec);
      if (now - agent.lastPushAt <= afterMs) continue;
      if (store.silentFor(agent.id).some((i) => i.endedAt === null)) continue;
      const id = store.create({ scope: 'local', cause: 'agent-silent', severity: 'down', commune: agent.commune, agentId: agent.id, startedAt: agent.lastPushAt, now });
      store.addEvent(id, { at: agent.lastPushAt, kind: 'opened', actor: ENGINE, detail: { agent: agent.name, lastPushAt: agent.lastPushAt, silentAfterMs: afterMs } });
      this.deps.log?.warn({ incident: id, commune: agent.commune, agent: agent.name }, 'agent silent: no push from the commune');
      this.deps.onChange?.(id, 'opened');
    }
  }

  // ------------------------------------------------------------------------------------------ targets
  private feedTarget(target: TargetRow, results: ResultToStore[]): void {
    const { store, config } = this.deps;
    const th = thresholdsFor(config, target.service);
    const saved = store.machine(target.id);
    let machine: Machine = saved?.machine ?? initialMachine(results[0]!.ts);
    let incidentId = saved?.incidentId ?? null;
    for (const r of results) {
      const sample = toSample(r, th.lossRatioDegraded);
      const { machine: next, transition } = step(machine, sample, th);
      machine = next;
      if (transition) {
        incidentId = this.onTransition(target, r.role, machine, transition, incidentId);
        continue;
      }
      if (incidentId === null) continue;
      if (!sample.ok || sample.bad) store.addEvidence(incidentId, [evidence(target, sample)], config.evidencePerIncident);
      // A flapping target that recovered: its incident closes once it has stayed up long enough.
      if (machine.state === 'up' && sample.ts - machine.since >= th.flap.stableSec * 1000) {
        store.saveMachine(target.id, machine, null);
        this.detach(incidentId, target, machine.since, sample);
        incidentId = null;
      }
    }
    store.saveMachine(target.id, machine, incidentId);
  }

  private onTransition(target: TargetRow, role: string | undefined, m: Machine, tr: Transition, incidentId: number | null): number | null {
    const { store, config } = this.deps;
    const severity: IncidentSeverity = tr.to === 'down' ? 'down' : 'degraded';
    if (tr.to !== 'up') {
      if (incidentId !== null) {
        // degraded ↔ down while already in an incident: it can only get worse.
        const inc = store.get(incidentId);
        if (inc && SEVERITY_RANK[severity] > SEVERITY_RANK[inc.severity]) {
          store.update(incidentId, { severity, layer: m.layer ?? inc.layer }, tr.at);
          store.addEvent(incidentId, { at: tr.at, kind: 'worsened', actor: ENGINE, detail: { target: target.name, severity } });
          this.deps.onChange?.(incidentId, 'worsened');
        }
        return incidentId;
      }
      return this.open(target, role, m, tr, severity);
    }
    // Recovered. A flapping target keeps its incident open until it has been stable (feedTarget).
    if (incidentId === null) return null;
    const th = thresholdsFor(config, target.service);
    if (isFlapping(m, th) && th.flap.stableSec > 0) {
      const inc = store.get(incidentId);
      if (inc && !inc.flapping) {
        store.update(incidentId, { flapping: true }, tr.at);
        store.addEvent(incidentId, { at: tr.at, kind: 'flapping', actor: ENGINE, detail: { target: target.name, changes: m.flips.length } });
      }
      return incidentId;
    }
    store.saveMachine(target.id, m, null);
    this.detach(incidentId, target, tr.at);
    return null;
  }

  private open(target: TargetRow, role: string | undefined, m: Machine, tr: Transition, severity: IncidentSeverity): number {
    const { store, config } = this.deps;
    const network = PATH_ROLES.has(role ?? '') || NETWORK_LAYERS.has(m.layer ?? '');
    const proof = m.recent.filter((s) => s.ts >= tr.at).map((s) => evidence(target, s));
    if (network) {
      const existing = store.findOpen({ cause: 'commune-network', commune: target.commune });
      if (existing) {
        const worse = SEVERITY_RANK[severity] > SEVERITY_RANK[existing.severity];
        store.update(existing.id, { ...(worse && { severity }), ...(m.layer === 'lan' && { layer: 'lan' }) }, tr.at);
        store.addEvent(existing.id, { at: tr.at, kind: 'target-added', actor: ENGINE, detail: { target: target.name, layer: m.layer ?? null } });
        store.addEvidence(existing.id, proof, config.evidencePerIncident);
        return existing.id;
      }
      const id = store.create({ scope: 'local', cause: 'commune-network', severity, commune: target.commune, layer: m.layer ?? null, startedAt: tr.at, now: tr.at });
      store.addEvent(id, { at: tr.at, kind: 'opened', actor: ENGINE, detail: { target: target.name, layer: m.layer ?? null } });
      store.addEvidence(id, proof, config.evidencePerIncident);
      this.deps.onChange?.(id, 'opened');
      return id;
    }
    const id = store.create({ scope: 'local', cause: 'local-service', severity, service: target.service, commune: target.commune, targetId: target.id, layer: m.layer ?? null, startedAt: tr.at, now: tr.at });
    store.addEvent(id, { at: tr.at, kind: 'opened', actor: ENGINE, detail: { target: target.name, layer: m.layer ?? null } });
    store.addEvidence(id, proof, config.evidencePerIncident);
    if (!this.joinCentral(id, target.service, tr.at, proof)) this.deps.onChange?.(id, 'opened');
    return id;
  }

  /** Folds a new local-service incident into a central one, opening it when enough communes fail together. */
  private joinCentral(localId: number, service: string, at: number, proof: EvidenceRow[]): boolean {
    const { store, config } = this.deps;
    const merge = (centralId: number, local: Incident) => {
      store.update(local.id, { mergedInto: centralId }, at);
      const prior = store.get(centralId)?.communes.find((c) => c.commune === local.commune);
      store.setCommune(centralId, { commune: local.commune!, startedAt: Math.min(prior?.startedAt ?? local.startedAt, local.startedAt), endedAt: local.endedAt });
      store.addEvent(local.id, { at, kind: 'merged', actor: ENGINE, detail: { into: centralId } });
      // Its own notifications stop here; the central incident speaks for it from now on.
      this.deps.onChange?.(local.id, 'merged');
    };
    const open = store.findOpen({ cause: 'central-service', service });
    if (open) {
      const local = store.get(localId)!;
      merge(open.id, local);
      store.addEvent(open.id, { at, kind: 'commune-added', actor: ENGINE, detail: { commune: local.commune } });
      store.addEvidence(open.id, proof, config.evidencePerIncident);
      if (SEVERITY_RANK[local.severity] > SEVERITY_RANK[open.severity]) store.update(open.id, { severity: local.severity }, at);
      this.deps.onChange?.(open.id, 'commune-added');
      return true;
    }
    const c = config.central;
    const together = store.serviceIncidents(service, at - c.overlapSec * 1000, at + 1).filter((i) => i.cause === 'local-service' && counts(i));
    const communes = new Set(together.map((i) => i.commune));
    const probing = Math.max(store.probingCommunes(service, at - 86_400_000), communes.size);
    const central = communes.size >= c.minCommunes || (communes.size >= c.minCommunesForShare && communes.size / probing >= c.minShare);
    if (!central) return false;
    const severity = together.some((i) => i.severity === 'down') ? 'down' : 'degraded';
    const startedAt = Math.min(...together.map((i) => i.startedAt));
    const id = store.create({ scope: 'central', cause: 'central-service', severity, service, layer: mostCommon(together.map((i) => i.layer)), startedAt, now: at });
    for (const local of together) merge(id, local);
    store.addEvent(id, { at, kind: 'opened', actor: ENGINE, detail: { communes: [...communes], probing, rule: communes.size >= c.minCommunes ? 'minCommunes' : 'minShare' } });
    for (const local of together) store.addEvidence(id, store.evidence(local.id, 5), config.evidencePerIncident);
    this.deps.log?.warn({ incident: id, service, communes: communes.size, probing }, 'central incident: the service fails at many communes');
    this.deps.onChange?.(id, 'opened');
    return true;
  }

  /** A target left its incident at `at`: close the incident if nothing else keeps it open. */
  private detach(incidentId: number, target: TargetRow, at: number, recovery?: Sample): void {
    const { store, config } = this.deps;
    if (recovery) store.addEvidence(incidentId, [evidence(target, recovery)], config.evidencePerIncident);
    if (store.activeTargets(incidentId) > 0) return;
    const inc = store.get(incidentId);
    if (!inc || inc.endedAt !== null) return;
    store.update(incidentId, { endedAt: Math.max(at, inc.startedAt) }, at);
    store.addEvent(incidentId, { at, kind: 'resolved', actor: ENGINE, detail: { target: target.name } });
    if (inc.mergedInto === null) {
      this.deps.onChange?.(incidentId, 'resolved');
      return;
    }
    // A commune of a central incident recovered; the central one ends with its last commune.
    const central = store.get(inc.mergedInto);
    if (!central || central.endedAt !== null) return;
    if (!this.openMergedAt(central.id, inc.commune!)) {
      const c = central.communes.find((x) => x.commune === inc.commune);
      store.setCommune(central.id, { commune: inc.commune!, startedAt: c?.startedAt ?? inc.startedAt, endedAt: at });
      store.addEvent(central.id, { at, kind: 'commune-recovered', actor: ENGINE, detail: { commune: inc.commune } });
    }
    const after = store.get(central.id)!;
    if (after.communes.every((c) => c.endedAt !== null)) {
      const endedAt = Math.max(...after.communes.map((c) => c.endedAt!));
      store.update(central.id, { endedAt }, at);
      store.addEvent(central.id, { at: endedAt, kind: 'resolved', actor: ENGINE, detail: {} });
      this.deps.onChange?.(central.id, 'resolved');
    } else {
      this.deps.onChange?.(central.id, 'commune-recovered');
    }
  }

  /** Whether another open local incident of this commune is still folded into the central one. */
  private openMergedAt(centralId: number, commune: string): boolean {
    return this.deps.store.list({ commune, openOnly: true, cause: 'local-service', limit: 1000 }).some((i) => i.mergedInto === centralId);
  }

  // ------------------------------------------------------------------------------------------ silence
  private agentBack(input: ObserveInput, silent: Incident[]): void {
    const { store } = this.deps;
    for (const inc of silent) {
      if (inc.endedAt !== null) continue;
      store.update(inc.id, { endedAt: input.receivedAt, backfillUntil: input.receivedAt }, input.receivedAt);
      store.addEvent(inc.id, { at: input.receivedAt, kind: 'agent-back', actor: ENGINE, detail: { outboxPending: input.outboxPending ?? null } });
      this.deps.onChange?.(inc.id, 'resolved');
    }
  }

  /** Once the agent's backlog has arrived, rewrites its silent incidents from the results it buffered. */
  private finishBackfill(input: ObserveInput): void {
    const { store, config } = this.deps;
    const pending = store.silentFor(input.agentId).filter((i) => i.backfillUntil !== null);
    if (pending.length === 0) return;
    const newest = input.results.reduce((max, r) => Math.max(max, r.ts), 0);
    const intervalMs = (input.probeIntervalSec ?? DEFAULT_INTERVAL_SEC) * 1000;
    const drained = input.outboxPending !== undefined ? input.outboxPending <= input.batchRecords : newest >= Math.min(...pending.map((i) => i.backfillUntil!)) - 2 * intervalMs;
    if (!drained) return;
    const gapMs = silentAfterMs(config, input.probeIntervalSec);
    for (const inc of pending) {
      const from = inc.startedAt;
      const until = inc.backfillUntil!;
      const times = store.agentResultTimes(input.agentId, input.commune, from, until);
      const gaps: Array<{ start: number; end: number }> = [];
      let last = from;
      for (const t of [...times, until]) {
        if (t - last > gapMs) gaps.push({ start: last, end: t });
        last = Math.max(last, t);
      }
      const before = { startedAt: inc.startedAt, endedAt: inc.endedAt };
      if (gaps.length === 0) {
        store.update(inc.id, { superseded: true, corrected: true, backfillUntil: null, statusNote: 'the agent kept probing while cut off from the server; its buffered results replace this record' }, input.receivedAt);
        store.addEvent(inc.id, { at: input.receivedAt, kind: 'corrected', actor: ENGINE, detail: { before, superseded: true, results: times.length } });
      } else {
        const [first, ...rest] = gaps as [{ start: number; end: number }, ...Array<{ start: number; end: number }>];
        const note = 'rewritten from the results the agent buffered: no results at all in this span (agent or PC off)';
        store.update(inc.id, { startedAt: first.start, endedAt: first.end, corrected: true, backfillUntil: null, statusNote: note }, input.receivedAt);
        store.addEvent(inc.id, { at: input.receivedAt, kind: 'corrected', actor: ENGINE, detail: { before, after: first, results: times.length } });
        for (const g of rest) {
          const id = store.create({ scope: 'local', cause: 'agent-silent', severity: 'down', commune: input.commune, agentId: input.agentId, startedAt: g.start, endedAt: g.end, corrected: true, statusNote: note, now: input.receivedAt });
          store.addEvent(id, { at: input.receivedAt, kind: 'corrected', actor: ENGINE, detail: { splitFrom: inc.id, after: g } });
        }
      }
      this.deps.log?.info({ incident: inc.id, gaps: gaps.length, results: times.length }, 'agent-silent incident rewritten from backfilled results');
      this.deps.onChange?.(inc.id, 'corrected');
    }
  }
}

export function silentAfterMs(config: IncidentConfig, probeIntervalSec: number | undefined): number {
  return Math.max(config.agentSilent.minSec, config.agentSilent.afterIntervals * (probeIntervalSec ?? DEFAULT_INTERVAL_SEC)) * 1000;
}

function toSample(r: ResultToStore, lossRatioDegraded: number): Sample {
  const loss = r.icmp?.lossRatio;
  const bad = r.ok && (r.layer === 'slow' || (loss !== undefined && loss >= lossRatioDegraded));
  const latency = r.latencyMs !== undefined ? ` ${Math.round(r.latencyMs)} ms` : '';
  const status = r.http?.statusCode !== undefined ? ` HTTP ${r.http.statusCode}` : '';
  const lossText = loss !== undefined && loss > 0 ? ` loss ${Math.round(loss * 100)}%` : '';
  const error = r.error ? ` ${r.error.code}: ${r.error.message}` : '';
  const layer = r.layer ? ` [${r.layer}]` : '';
  return {
    id: r.id,
    ts: r.ts,
    ok: r.ok,
    bad,
    ...(r.layer !== undefined && { layer: r.layer }),
    ...(r.error?.code !== undefined && { errorCode: r.error.code }),
    summary: `${r.ok ? (bad ? 'SLOW' : 'OK') : 'FAIL'} ${r.kind}${status}${latency}${lossText}${layer}${error}`.slice(0, 500),
  };
}

function evidence(target: TargetRow, s: Sample): EvidenceRow {
  return { resultId: s.id, commune: target.commune, target: target.name, ts: s.ts, ok: s.ok, layer: s.layer ?? null, errorCode: s.errorCode ?? null, summary: s.summary };
}

function mostCommon(values: Array<string | null>): string | null {
  const n = new Map<string, number>();
  for (const v of values) if (v !== null) n.set(v, (n.get(v) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}
