/**
 * Placing a service failure on one layer, from the same round's path checks. Pure: no I/O, so every rule
 * is unit-tested, and the namespace fault lab (tests/lab) checks the whole chain on real packets.
 *
 * Order matters, nearest cause first: a dead LAN gateway explains everything beyond it; an uplink with
 * nothing answering beyond the gateway explains DNS and service failures; names failing while addresses
 * work is DNS; a certificate problem is TLS; what remains is the service itself — or, when it depends on
 * upstream links and one of them is failing, that link ("blame").
 */
import type { FaultLayer, ProbeOutcome } from '../../protocol/wire.js';
import { ProbeErrorCode } from '../probes/errors.js';

export interface HopState {
  ok: boolean;
}

/** The path as seen by the latest completed check; a hop is absent when not configured or not detected. */
export interface PathSnapshot {
  at: number;
  gateway?: HopState;
  /** ok when at least one resolver answered. */
  resolvers?: HopState;
  uplink?: HopState;
  datacentre?: HopState;
}

export interface Classification {
  layer?: FaultLayer;
  /** The failing upstream link a service failure is attributed to. */
  blame?: string;
}

export interface ClassifyInput {
  outcome: ProbeOutcome;
  /** The probe kind: a failing DNS probe is a DNS fault whatever its error (timeout, refused, SERVFAIL). */
  kind?: string;
  latencyBudgetMs?: number;
  path?: PathSnapshot;
  /** Upstream links this service depends on, in order, with whether their latest round succeeded. */
  dependencies?: Array<{ name: string; ok: boolean | undefined }>;
}

const NAME_ERRORS: ReadonlySet<string> = new Set([ProbeErrorCode.DNS, ProbeErrorCode.DNS_NO_ANSWER]);

export function classify({ outcome, kind, latencyBudgetMs, path, dependencies = [] }: ClassifyInput): Classification {
  // Missing or unreadable credentials are a fault of the agent host's setup; nothing was sent, so no
  // network or service layer can be blamed.
  if (outcome.error?.code === ProbeErrorCode.CREDENTIALS) return {};
  if (outcome.ok) {
    const slow = latencyBudgetMs !== undefined && outcome.latencyMs !== undefined && outcome.latencyMs > latencyBudgetMs;
    return slow ? { layer: 'slow' } : {};
  }
  if (path?.gateway && !path.gateway.ok) return { layer: 'lan' };
  const beyond = [path?.uplink, path?.datacentre].filter((h): h is HopState => h !== undefined);
  if (beyond.length > 0 && beyond.every((h) => !h.ok)) return { layer: 'uplink' };
  const code = outcome.error?.code ?? '';
  // The service's own name lookup failed while the hops beyond the gateway answer (checked above).
  if (NAME_ERRORS.has(code) || kind === 'dns') return { layer: 'dns' };
  if (code === ProbeErrorCode.TLS) return { layer: 'tls' };
  const failingDependency = dependencies.find((d) => d.ok === false);
  return failingDependency ? { layer: 'service', blame: failingDependency.name } : { layer: 'service' };
}
