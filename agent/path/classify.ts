/**
 * Placing a service failure on one layer, from the same round's path checks. Pure: no I/O, so every rule
 * is unit-tested, and the namespace fault lab (tests/lab) checks the whole chain on real packets.
 *
 * An answer from the service comes first: an HTTP status, a body that failed a check, or a TLS handshake
 * error means the remote end was reached, which proves the path to it. Path hop failures in the same round
 * must not override that (a gateway that ignores ping is common): the failure is TLS, or the service, or
 * the upstream link it depends on ("blame").
 *
 * When nothing answered (timeout, refused, unreachable), order matters, nearest cause first: a dead LAN
 * gateway explains everything beyond it, unless a hop beyond it answered (then the gateway only ignores
 * ping and the LAN works); an uplink with nothing answering beyond the gateway explains DNS and service
 * failures; names failing while addresses work is DNS; what remains is the service itself — or, when it
 * depends on upstream links and one of them is failing, that link.
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

/** Codes only a remote answer produces: a status, a body that failed its check, a TLS handshake that went wrong. */
const ANSWERED_ERRORS: ReadonlySet<string> = new Set([
  ProbeErrorCode.HTTP_STATUS,
  ProbeErrorCode.HTTP_KEYWORD,
  ProbeErrorCode.HTTP_JSON,
  ProbeErrorCode.TLS,
]);

/**
 * Whether the failed round carries proof that the service itself answered. A status code counts whatever the
 * error (a body cut off after the headers is still an answer); for a transaction, the failed step's own status.
 */
function serviceAnswered(outcome: ProbeOutcome): boolean {
  if (ANSWERED_ERRORS.has(outcome.error?.code ?? '')) return true;
  if ((outcome.http?.statusCode ?? 0) > 0) return true;
  const tx = outcome.transaction;
  const failedStep = tx?.steps.find((s) => s.name === tx.failedStep);
  return (failedStep?.statusCode ?? 0) > 0;
}

export function classify({ outcome, kind, latencyBudgetMs, path, dependencies = [] }: ClassifyInput): Classification {
  // Missing or unreadable credentials are a fault of the agent host's setup; nothing was sent, so no
  // network or service layer can be blamed.
  if (outcome.error?.code === ProbeErrorCode.CREDENTIALS) return {};
  if (outcome.ok) {
    const slow = latencyBudgetMs !== undefined && outcome.latencyMs !== undefined && outcome.latencyMs > latencyBudgetMs;
    return slow ? { layer: 'slow' } : {};
  }
  const code = outcome.error?.code ?? '';
  if (!serviceAnswered(outcome)) {
    const beyond = [path?.uplink, path?.datacentre].filter((h): h is HopState => h !== undefined);
    // A hop beyond the gateway answered: the gateway only ignores ping, the LAN carries traffic.
    if (path?.gateway && !path.gateway.ok && !beyond.some((h) => h.ok)) return { layer: 'lan' };
    if (beyond.length > 0 && beyond.every((h) => !h.ok)) return { layer: 'uplink' };
  }
  // The service's own name lookup failed while the hops beyond the gateway answer (checked above).
  if (NAME_ERRORS.has(code) || kind === 'dns') return { layer: 'dns' };
  if (code === ProbeErrorCode.TLS) return { layer: 'tls' };
  const failingDependency = dependencies.find((d) => d.ok === false);
  return failingDependency ? { layer: 'service', blame: failingDependency.name } : { layer: 'service' };
}
