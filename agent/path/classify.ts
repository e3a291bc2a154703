/**
 * Placing a service failure on one layer, from the same round's path checks. Pure: no I/O, so every rule
 * is unit-tested, and the namespace fault lab (tests/lab) checks the whole chain on real packets.
 *
 * An answer from the service comes first: an HTTP status, a body that failed a check, or a TLS handshake
 * error means the remote end was reached, which proves the path to it. Path hop failures or losses in the
 * same round must not override that (a gateway that ignores ping is common): the failure is TLS, or the
 * service, or the upstream link it depends on ("blame").
 *
 * Only a *complete* answer proves the service failed: an error status (400 and up, even if its body then
 * stalled), a body that arrived whole and failed its check, a TLS handshake that went wrong. A transfer that
 * started (a 2xx/3xx status line) and then stalled or was cut off is a *partial* answer: it proves the path
 * worked a moment earlier, not that the vendor failed — on a lossy path the stall is the path's (issue 12:
 * 60 % loss, headers in, body lost, the vendor blamed). So a partial answer skips the dead-hop rules below
 * (the path just carried the headers) but is judged by the loss rules like a silent failure.
 *
 * When nothing answered (timeout, refused, unreachable), order matters, nearest cause first: a dead LAN
 * gateway explains everything beyond it, unless a hop beyond it answered (then the gateway only ignores
 * ping and the LAN works); an uplink with nothing answering beyond the gateway explains DNS and service
 * failures. Then, for a silent failure (timeout, unreachable, no echo — not a refused or reset connection,
 * which is the far end answering) or a partial answer, a lossy path: hops that answer but lose most echoes
 * still count as "ok", yet under such loss a request times out (issue 12: 60 % loss on a commune's uplink,
 * every hop ok, the vendor blamed). A lossy gateway is the LAN, unless a hop beyond it came back without
 * loss; a lossy uplink or data-centre hop is the uplink (thresholds at LOSSY_HOP_LOST). Then names failing while
 * addresses work is DNS; what remains is the service itself — or, when it depends on upstream links and
 * one of them is failing, that link.
 */
import type { FaultLayer, ProbeOutcome } from '../../protocol/wire.js';
import { ProbeErrorCode } from '../probes/errors.js';

export interface HopState {
  /** At least one check of this role answered (for ICMP: at least one echo of the round came back). */
  ok: boolean;
  /** Share of ICMP echoes lost in the round (0..1, three decimals); absent for TCP and DNS checks. */
  lossRatio?: number;
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
 * Failures where nothing came back at all. A refused or reset connection is an answer from the far end, and
 * a DNS error may be an answer (NXDOMAIN) as much as a silence, so neither is blamed on loss.
 */
const SILENT_ERRORS: ReadonlySet<string> = new Set([
  ProbeErrorCode.TIMEOUT,
  ProbeErrorCode.UNREACHABLE,
  ProbeErrorCode.ICMP_NO_REPLY,
]);

/**
 * How much loss on a hop that still answers makes the path, not the service, the cause of a silent failure.
 * Path hops are pinged with 3 echoes, so a ratio is 0, 1/3, 2/3 or 1 (0.333 and 0.667 as rounded by the icmp
 * probe). A path budget under ~3.3 s cuts the round short: ping then gets a deadline and keeps sending until
 * it has its 3 replies, so the ratio is lost / (replies + lost) with at most 3 replies — 1 lost reads 0.25,
 * 2 lost 0.4 (the lab's 1 s budget shows exactly these; at 60 % loss its uplink hop read 0.25 and 0.4 in
 * most rounds and the vendor was blamed). So the rules count echoes lost (`lostEchoes`), not a ratio. One
 * lost echo on one hop is noise: a link with 1 % loss shows it on 3 % of rounds, and ISP routers rate-limit
 * echoes to themselves far more often than that, so the vendor would be let off for its own timeouts. So:
 * - one hop alone must lose at least 2 (P = 3p²(1-p) + p³ for 3 echoes: 0.03 % of rounds at 1 % loss, 65 %
 *   at the lab's 60 %);
 * - or both hops beyond the gateway at least 1 each: two routers agreeing is not one router's ICMP policy
 *   (0.09 % at 1 % loss, 88 % at 60 %). A hop that lost every echo counts here once the other one answered
 *   with loss (both silent is the uplink rule's case); the cost: where one beyond-hop never answers ping at
 *   all, a genuine service timeout goes to the uplink whenever the other hop lost an echo (3 % at 1 % loss).
 * With uplink and data-centre hops both pinged, 60 % loss places a timeout on the uplink in 96 % of rounds
 * (vs 88 % for the single-hop rule alone), and 1 % loss misplaces a genuine service timeout in 0.15 %.
 */
const LOSSY_HOP_LOST = 2;
const LOSSY_PAIR_LOST = 1;
/** Replies a path hop's round waits for (path-monitor.ts pings each hop with 3 echoes). */
const HOP_ECHOES = 3;

/**
 * The fewest echoes an answering hop can have lost to show `lossRatio`: lost / (replies + lost) with 1 to
 * HOP_ECHOES replies (3 echoes, or a round cut short that kept sending until its 3 replies or its deadline).
 * 0 for no loss or no figure (TCP hops); Infinity for a hop that answered nothing.
 */
export function lostEchoes(hop: HopState): number {
  if (!hop.ok) return Infinity;
  const ratio = hop.lossRatio ?? 0;
  if (ratio <= 0) return 0;
  let fewest = Infinity;
  for (let replies = 1; replies <= HOP_ECHOES; replies++) {
    const lost = Math.round((ratio * replies) / (1 - ratio));
    // The probe rounds ratios to three decimals.
    if (lost >= 1 && Math.abs(lost / (replies + lost) - ratio) < 0.002) fewest = Math.min(fewest, lost);
  }
  // A ratio no such round gives (a hop probed another way): at least one echo was lost.
  return fewest === Infinity ? 1 : fewest;
}

/** Answered, yet lost at least `lost` echoes. A dead hop is for the rules above, not this one. */
const lossy = (hop: HopState | undefined, lost: number): boolean => hop?.ok === true && lostEchoes(hop) >= lost;

/**
 * What the service said in the failed round (for a transaction, in its failed step):
 * - `complete`: proof that it failed — an answered-error code, or an error status (400 and up) whatever
 *   happened to its body afterwards;
 * - `partial`: a 1xx–3xx status line came, then the transfer stalled or was cut (timeout, reset): the path
 *   carried the headers, but on a lossy path the rest may simply have been lost;
 * - `none`: no status at all.
 * A status with any other error (a redirect to an unusable location, too many redirects, a malformed
 * response) is the service's own doing: complete.
 */
type Answer = 'complete' | 'partial' | 'none';

const CUT_TRANSFER_ERRORS: ReadonlySet<string> = new Set([ProbeErrorCode.TIMEOUT, ProbeErrorCode.RESET]);

/** From 400 on, the status itself is the service's verdict. */
const ERROR_STATUS = 400;

function serviceAnswer(outcome: ProbeOutcome): Answer {
  if (ANSWERED_ERRORS.has(outcome.error?.code ?? '')) return 'complete';
  const tx = outcome.transaction;
  const status = tx
    ? (tx.steps.find((s) => s.name === tx.failedStep)?.statusCode ?? 0)
    : (outcome.http?.statusCode ?? 0);
  if (status === 0) return 'none';
  return status < ERROR_STATUS && CUT_TRANSFER_ERRORS.has(outcome.error?.code ?? '') ? 'partial' : 'complete';
}

export function classify({ outcome, kind, latencyBudgetMs, path, dependencies = [] }: ClassifyInput): Classification {
  // Missing or unreadable credentials are a fault of the agent host's setup; nothing was sent, so no
  // network or service layer can be blamed.
  if (outcome.error?.code === ProbeErrorCode.CREDENTIALS) return {};
  if (outcome.ok) {
    const slow =
      latencyBudgetMs !== undefined && outcome.latencyMs !== undefined && outcome.latencyMs > latencyBudgetMs;
    return slow ? { layer: 'slow' } : {};
  }
  const code = outcome.error?.code ?? '';
  const answer = serviceAnswer(outcome);
  const beyond = [path?.uplink, path?.datacentre].filter((h): h is HopState => h !== undefined);
  if (answer === 'none') {
    // A hop beyond the gateway answered: the gateway only ignores ping, the LAN carries traffic.
    if (path?.gateway && !path.gateway.ok && !beyond.some((h) => h.ok)) return { layer: 'lan' };
    if (beyond.length > 0 && beyond.every((h) => !h.ok)) return { layer: 'uplink' };
  }
  if ((answer === 'none' && SILENT_ERRORS.has(code)) || answer === 'partial') {
    // Loss on the LAN shows on every hop beyond the gateway too: one of them clean means the gateway
    // only drops echoes to itself.
    const beyondClean = beyond.some((h) => h.ok && h.lossRatio === 0);
    if (lossy(path?.gateway, LOSSY_HOP_LOST) && !beyondClean) return { layer: 'lan' };
    if (beyond.some((h) => lossy(h, LOSSY_HOP_LOST))) return { layer: 'uplink' };
    if (
      beyond.length === 2 &&
      beyond.some((h) => lossy(h, LOSSY_PAIR_LOST)) &&
      beyond.every((h) => lostEchoes(h) >= LOSSY_PAIR_LOST)
    )
      return { layer: 'uplink' };
  }
  // The service's own name lookup failed while the hops beyond the gateway answer (checked above).
  if (NAME_ERRORS.has(code) || kind === 'dns') return { layer: 'dns' };
  if (code === ProbeErrorCode.TLS) return { layer: 'tls' };
  const failingDependency = dependencies.find((d) => d.ok === false);
  return failingDependency ? { layer: 'service', blame: failingDependency.name } : { layer: 'service' };
}
