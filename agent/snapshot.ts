/**
 * What the agent knows right now, as its local status page reads it: the seam between the agent that
 * produces the snapshot (agent.ts, round.ts) and the page that shows it (status-page/), so neither imports
 * the other's module.
 */
import type { ProbeResult } from '../protocol/wire.js';
import type { Outbox } from './outbox.js';
import type { Pusher } from './pusher.js';

/** A target's latest result, and since when it has been in its current state (up, or down at a layer). */
export interface TargetStatus {
  result: ProbeResult;
  since: number;
}

/** What the agent knows right now, for its local status page. */
export interface AgentSnapshot {
  commune: string;
  version: string;
  startedAt: number;
  services: TargetStatus[];
  path: TargetStatus[];
  outbox: ReturnType<Outbox['stats']>;
  push: ReturnType<Pusher['status']>;
}
