/**
 * The probe seam. One module per kind implements `Probe`; agent/probes/index.ts registers them all.
 *
 * Contract: a target failure (refused, timeout, wrong status, no ping binary…) is *data* — return
 * `{ ok: false, error: { code, message } }` with whatever was measured before the failure. `run` throws
 * only on programming errors; the scheduler turns an unexpected throw into CW_ERR_PROBE_INTERNAL.
 */
import type { TSchema, Static } from 'typebox';
import type { Logger } from 'pino';
import type { ProbeKind, ProbeOutcome } from '../../protocol/wire.js';

export interface ProbeContext {
  /** Aborted when the round's timeout expires or the agent shuts down; probes must stop promptly. */
  signal: AbortSignal;
  /** Round budget in ms (the target's timeoutMs); `signal` fires when it is spent. */
  timeoutMs: number;
  /** Injected clock (epoch ms) so tests can control time. */
  now: () => number;
  log: Logger;
  /**
   * Local address to send from, when the target is pinned to one network link (a commune with both the
   * government data network and the public Internet probes each path). Unset: the OS routing decides.
   */
  sourceAddress?: string;
  /**
   * The target's latencyBudgetMs, for probes that report their checks as conditions (RESPONSE_TIME). The probe
   * does not fail on it: agent/path/classify.ts marks a slower success `slow`.
   */
  latencyBudgetMs?: number;
}

export interface Probe<S extends TSchema = TSchema> {
  readonly kind: ProbeKind;
  /**
   * Kind-specific target fields (host, url, count…), strict: unknown keys are config errors.
   * Common fields (name, kind, service, intervalSec, timeoutMs) are checked by agent/config.ts.
   */
  readonly targetSchema: S;
  run(target: Static<S>, ctx: ProbeContext): Promise<ProbeOutcome>;
}

/** Helper so each probe module keeps its target type inferred from its schema. */
export function defineProbe<S extends TSchema>(probe: Probe<S>): Probe<S> {
  return probe;
}
