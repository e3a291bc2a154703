/**
 * Helpers shared by the four probes: one clock for durations, one deadline that honours both ctx.signal and
 * ctx.timeoutMs, one mapping from Node error codes to ProbeErrorCode, one shape for failed outcomes — so that
 * "connection refused" reads the same in a TCP, HTTP or DNS result.
 */
import type { ProbeOutcome } from '../../protocol/wire.js';
import { ProbeErrorCode } from './errors.js';
import type { ProbeContext } from './probe.js';

/** ProbeError.message is capped at 2000 characters on the wire; stay under it rather than be rejected. */
const MAX_MESSAGE = 2000;

/** Rounds a duration to microseconds: more digits are noise and only inflate batches. */
export function roundMs(ms: number): number {
  return Math.max(0, Math.round(ms * 1000) / 1000);
}

/** Milliseconds elapsed since `start`, a performance.now() reading (monotonic, unlike ctx.now()). */
export function since(start: number): number {
  return roundMs(performance.now() - start);
}

/** A deadline for one probe run; call `dispose` when the run ends so the timer does not linger. */
export interface Deadline {
  /** Aborted when ctx.signal aborts or ctx.timeoutMs has elapsed, whichever comes first. */
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * Combines ctx.signal with ctx.timeoutMs. The scheduler normally aborts ctx.signal at the timeout already;
 * the probe enforces it too so that a caller who forgets (a test, a one-off CLI check) still gets a bound.
 * Hand-rolled because AbortSignal.any() only arrived in Node 20.3 and package.json allows 20.0.
 */
export function startDeadline(ctx: ProbeContext): Deadline {
  const controller = new AbortController();
  const abort = (): void => controller.abort(ctx.signal.reason);
  const timer = setTimeout(() => controller.abort(new Error('probe timeout')), ctx.timeoutMs);
  timer.unref();
  if (ctx.signal.aborted) abort();
  else ctx.signal.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', abort);
    },
  };
}

/** Builds a failed outcome; `detail` carries whatever the probe measured before it failed. */
export function failure(
  start: number,
  code: ProbeErrorCode,
  message: string,
  detail: Omit<ProbeOutcome, 'ok' | 'durationMs' | 'error'> = {},
): ProbeOutcome {
  return { ok: false, durationMs: since(start), ...detail, error: { code, message: message.slice(0, MAX_MESSAGE) } };
}

/** Node/c-ares error codes with a fixed meaning, whatever the probe. */
const CODE_MAP: Record<string, ProbeErrorCode> = {
  ECONNREFUSED: ProbeErrorCode.REFUSED,
  ECONNRESET: ProbeErrorCode.RESET,
  EPIPE: ProbeErrorCode.RESET,
  ECONNABORTED: ProbeErrorCode.RESET,
  ETIMEDOUT: ProbeErrorCode.TIMEOUT,
  ETIMEOUT: ProbeErrorCode.TIMEOUT, // c-ares spelling
  ECANCELLED: ProbeErrorCode.TIMEOUT, // only we cancel a resolver, and only on abort
  ABORT_ERR: ProbeErrorCode.TIMEOUT,
  EHOSTUNREACH: ProbeErrorCode.UNREACHABLE,
  ENETUNREACH: ProbeErrorCode.UNREACHABLE,
  EHOSTDOWN: ProbeErrorCode.UNREACHABLE,
  ENETDOWN: ProbeErrorCode.UNREACHABLE,
  EADDRNOTAVAIL: ProbeErrorCode.UNREACHABLE, // sourceAddress not configured on this host
  ENOTFOUND: ProbeErrorCode.DNS,
  EAI_AGAIN: ProbeErrorCode.DNS,
  EAI_FAIL: ProbeErrorCode.DNS,
  ESERVFAIL: ProbeErrorCode.DNS,
  EREFUSED: ProbeErrorCode.DNS, // the DNS server answered REFUSED
  EBADRESP: ProbeErrorCode.DNS,
  EFORMERR: ProbeErrorCode.DNS,
  ENODATA: ProbeErrorCode.DNS_NO_ANSWER,
};

/** OpenSSL verification codes (CERT_HAS_EXPIRED…) and Node's TLS errors all mean "TLS failed". */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; errors?: unknown };
  if (typeof e.code === 'string') return e.code;
  // Node ≥ 20 tries every address of a host (autoSelectFamily) and throws an AggregateError of the attempts.
  if (Array.isArray(e.errors)) return codeOf(e.errors[0]);
  return undefined;
}

/** Maps a Node error to a ProbeErrorCode; `fallback` covers codes that mean different things per probe. */
export function errorCode(err: unknown, fallback: ProbeErrorCode): ProbeErrorCode {
  const code = codeOf(err);
  if (code === undefined) return fallback;
  if (code in CODE_MAP) return CODE_MAP[code] ?? fallback;
  if (TLS_CODE.test(code)) return ProbeErrorCode.TLS;
  if (code.startsWith('HPE_')) return ProbeErrorCode.HTTP_PROTOCOL; // llhttp: malformed response
  return fallback;
}

/** Node's own message ("connect ECONNREFUSED 127.0.0.1:9") is already good evidence; unwrap aggregates. */
export function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.map(errorMessage).join('; ');
  }
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
