/**
 * The state of every commune × service right now, for the overview grid: confirmed incidents first
 * (they carry the cause), then the latest results held in memory for what no incident explains.
 */
import type { LiveState } from '../../metrics/live-state.js';
import type { Store } from '../../store/store.js';
import { counts, isDownNow, type Incident } from '../../outages/incident.js';

export type CellState = 'up' | 'degraded' | 'down' | 'network' | 'silent' | 'unconfirmed' | 'none';

/** Worst first: the grid sorts communes by their worst cell. */
export const STATE_RANK: Record<CellState, number> = {
  down: 0,
  network: 1,
  silent: 2,
  degraded: 3,
  unconfirmed: 4,
  up: 5,
  none: 6,
};

export interface Fleet {
  communes: string[];
  /** Service classes (without "network", which is the commune's own column). */
  services: string[];
  open: Incident[];
  network(commune: string): CellState;
  cell(commune: string, service: string): CellState;
  worst(commune: string): CellState;
}

const key = (commune: string, service: string) => `${commune}\u0000${service}`;
const worse = (a: CellState | undefined, b: CellState): CellState =>
  a === undefined || STATE_RANK[b] < STATE_RANK[a] ? b : a;

/** Communes an open incident is still affecting (a central incident lists each with its own end). */
function affected(i: Incident): string[] {
  if (i.commune) return [i.commune];
  return i.communes.filter((c) => c.endedAt === null).map((c) => c.commune);
}

export function fleetState(
  deps: { live: LiveState; store: Store; communes?: readonly string[] },
  visible: (service: string) => boolean,
): Fleet {
  const open = deps.store.incidents
    .list({ openOnly: true, limit: 100_000 })
    .filter((i) => counts(i) && (i.service === null || i.service === 'network' || visible(i.service)));
  const networkOf = new Map<string, CellState>();
  const incidentCell = new Map<string, CellState>();
  for (const i of open) {
    for (const c of affected(i)) {
      if (i.cause === 'commune-network')
        networkOf.set(c, worse(networkOf.get(c), isDownNow(i) ? 'network' : 'degraded'));
      else if (i.cause === 'agent-silent') networkOf.set(c, worse(networkOf.get(c), 'silent'));
      else if (i.service)
        incidentCell.set(
          key(c, i.service),
          worse(incidentCell.get(key(c, i.service)), isDownNow(i) ? 'down' : 'degraded'),
        );
    }
  }
  const liveCell = new Map<string, CellState>();
  const communes = new Set<string>(deps.communes ?? []);
  const services = new Set<string>();
  for (const t of deps.live.values()) {
    if (t.service !== 'network' && !visible(t.service)) continue;
    communes.add(t.commune);
    if (t.service !== 'network') services.add(t.service);
    const k = key(t.commune, t.service);
    liveCell.set(k, worse(liveCell.get(k), t.result.ok ? 'up' : 'unconfirmed'));
  }
  for (const p of deps.store.incidents.communeServices()) {
    if (p.service === 'network' || !visible(p.service)) continue;
    communes.add(p.commune);
    services.add(p.service);
  }
  const network = (c: string): CellState => networkOf.get(c) ?? liveCell.get(key(c, 'network')) ?? 'none';
  const cell = (c: string, s: string): CellState => {
    const net = networkOf.get(c);
    // With the commune's own link down the service cannot be judged from there: say so, do not blame it.
    if (net === 'network' || net === 'silent') return net;
    return incidentCell.get(key(c, s)) ?? liveCell.get(key(c, s)) ?? 'none';
  };
  const serviceList = [...services].sort();
  return {
    communes: [...communes].sort(),
    services: serviceList,
    open: open.sort((a, b) => (a.severity === b.severity ? a.startedAt - b.startedAt : a.severity === 'down' ? -1 : 1)),
    network,
    cell,
    worst: (c) => serviceList.reduce<CellState>((w, s) => worse(w, cell(c, s)), network(c)),
  };
}
