/**
 * The state of the targets one ingest batch touches: each target's machine and incident, read once from the
 * store and written back once (and at each change of membership, so incident rebuilds read it), plus the
 * services whose local incidents changed, for the central re-evaluation after the batch.
 */
import type { IncidentStore, TargetRow } from '../store/incident-store.js';
import type { Incident } from './incident.js';
import { initialMachine, normaliseMachine, type Machine, type MemberInfo } from './target-machine.js';

/** One target's state while a batch is applied; written back once at the end (and at each change). */
export interface Entry {
  target: TargetRow;
  machine: Machine;
  incidentId: number | null;
}

/** Machines and targets of one batch, read once and written back once. */
export class Batch {
  private readonly entries = new Map<string, Entry | null>();
  /** Services whose local incidents changed, with the earliest time concerned. */
  readonly touched = new Map<string, number>();

  constructor(private readonly store: IncidentStore) {}

  entry(commune: string, name: string, ts: number, role?: string): Entry | undefined {
    let e = this.entries.get(name);
    if (e === undefined) {
      const target = this.store.target(commune, name);
      const saved = target && this.store.machine(target.id);
      e = target
        ? {
            target,
            machine: saved ? normaliseMachine(saved.machine) : initialMachine(ts),
            incidentId: saved?.incidentId ?? null,
          }
        : null;
      if (e && e.incidentId !== null && !e.machine.member)
        e.machine = { ...e.machine, member: legacyMember(e.machine, this.store.get(e.incidentId)) };
      if (e && role) e.machine = { ...e.machine, role };
      this.entries.set(name, e);
    }
    return e ?? undefined;
  }

  persist(e: Entry): void {
    this.store.saveMachine(e.target.id, e.machine, e.incidentId);
  }

  saveAll(): void {
    for (const e of this.entries.values()) if (e) this.persist(e);
  }

  touch(service: string, at: number): void {
    this.touched.set(service, Math.min(this.touched.get(service) ?? at, at));
  }

  /** The commune's open network incident (looked up only for a slow service: rare). */
  openNetwork(commune: string): Incident | undefined {
    return this.store.findOpen({ cause: 'commune-network', commune });
  }

  /**
   * Targets of this batch in an open local-service incident not yet part of a central one, with the time
   * their state began: what they learnt may make them known to overlap others. (Merged ones are decided.)
   */
  openLocalServices(includeMerged: boolean): Array<{ service: string; since: number }> {
    const out: Array<{ service: string; since: number }> = [];
    for (const e of this.entries.values()) {
      if (!e || e.incidentId === null || e.machine.member?.cause !== 'service') continue;
      if (includeMerged || this.store.get(e.incidentId)?.mergedInto === null)
        out.push({ service: e.target.service, since: e.machine.since });
    }
    return out;
  }

  /** The commune's uplink or data-centre check, seen in this batch, is up. */
  pathBeyondUp(commune: string): boolean {
    for (const e of this.entries.values()) {
      if (
        e &&
        e.target.commune === commune &&
        (e.machine.role === 'uplink' || e.machine.role === 'datacentre') &&
        e.machine.state === 'up'
      )
        return true;
    }
    return false;
  }
}

/** A machine saved before targets recorded their membership: derive it from the incident it points to. */
function legacyMember(m: Machine, inc: Incident | undefined): MemberInfo {
  const network = inc?.cause === 'commune-network';
  return {
    cause: network ? 'network' : 'service',
    severity: m.state === 'degraded' ? 'degraded' : 'down',
    layer: m.layer ?? inc?.layer ?? null,
    ...(m.state === 'up' && { held: true }),
  };
}
