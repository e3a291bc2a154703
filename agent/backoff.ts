/**
 * Retry timing for the pusher: capped exponential backoff with jitter, and the server's Retry-After.
 * Jitter matters here: when a provincial link comes back, thousands of agents must not retry in lockstep.
 */

export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (1-based): "equal jitter" — half fixed, half random — so a retry is
 * never immediate and never later than the cap.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Parses Retry-After (delta seconds or HTTP date) into ms from `now`; undefined when absent or unusable. */
export function parseRetryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
