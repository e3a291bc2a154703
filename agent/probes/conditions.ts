/**
 * The checks a target's config defines, written out as conditions with their outcomes (protocol/wire.ts
 * `Condition`), Gatus style: `[STATUS] == 200-399 ✗ 503`, `[RESPONSE_TIME] <= 3000 ms ✓ 212 ms`. The http and
 * transaction probes add them to every result, ok or failed, so a record can show what was checked and what
 * came back, not only the first error. Texts are language-neutral (numbers, units, fixed words) and bounded.
 */
import type { Condition } from '../../protocol/wire.js';
import { DEFAULT_EXPECT, type HttpTarget } from './schemas.js';

type ExpectStatus = NonNullable<HttpTarget['expectStatus']>;

const MAX_TEXT = 200;
const DAY_MS = 86_400_000;

/** A configured value quoted into a condition, cut so the whole condition stays within its bound. */
export function quote(value: string, room = MAX_TEXT - 20): string {
  const cut = value.length > room ? `${value.slice(0, room)}…` : value;
  return `"${cut.replace(/"/g, '\\"')}"`;
}

/** Latency as a reader wants it: whole milliseconds from 100 ms, one decimal below. */
export const showMs = (ms: number): string => `${ms >= 100 ? Math.round(ms) : Math.round(ms * 10) / 10} ms`;

export const describeExpect = (expect: ExpectStatus): string =>
  expect.map((e) => (typeof e === 'number' ? String(e) : `${e.min}-${e.max}`)).join(', ');

export const statusAccepted = (status: number, expect: ExpectStatus = DEFAULT_EXPECT): boolean =>
  expect.some((e) => (typeof e === 'number' ? e === status : status >= e.min && status <= e.max));

/** `[STATUS] == 200-399` (one accepted value or range) or `[STATUS] in 204, 300-302`; no actual without a response. */
export function statusCondition(expect: ExpectStatus = DEFAULT_EXPECT, status: number | undefined): Condition {
  const condition = `${expect.length === 1 ? '==' : 'in'} ${describeExpect(expect)}`.slice(0, MAX_TEXT);
  if (status === undefined) return { subject: 'STATUS', condition, ok: false };
  return { subject: 'STATUS', condition, actual: String(status), ok: statusAccepted(status, expect) };
}

/** `[BODY] contains "Đăng nhập"`, actual `found` / `not found`; `body` undefined means no response to look in. */
export function keywordCondition(keyword: string, body: Buffer | undefined): Condition {
  const condition = `contains ${quote(keyword)}`;
  if (body === undefined) return { subject: 'BODY', condition, ok: false };
  const ok = body.includes(keyword);
  return { subject: 'BODY', condition, actual: ok ? 'found' : 'not found', ok };
}

/**
 * `[RESPONSE_TIME] <= 3000 ms` against the target's latencyBudgetMs. Soft: over budget the result stays ok and
 * the agent marks it `slow` (agent/path/classify.ts uses the same `>`).
 */
export function responseTimeCondition(budgetMs: number, latencyMs: number | undefined): Condition {
  const condition = `<= ${budgetMs} ms`;
  if (latencyMs === undefined) return { subject: 'RESPONSE_TIME', condition, ok: false };
  return { subject: 'RESPONSE_TIME', condition, actual: showMs(latencyMs), ok: latencyMs <= budgetMs };
}

/** `[CERTIFICATE_EXPIRATION] > 14d`, actual the whole days left (negative once expired). */
export function certificateCondition(minDays: number, expiresAt: number | undefined, now: number): Condition {
  const condition = `> ${minDays}d`;
  if (expiresAt === undefined) return { subject: 'CERTIFICATE_EXPIRATION', condition, ok: false };
  const leftMs = expiresAt - now;
  return {
    subject: 'CERTIFICATE_EXPIRATION',
    condition,
    actual: `${Math.floor(leftMs / DAY_MS)}d`,
    ok: leftMs > minDays * DAY_MS,
  };
}

/** `[TLS] == trusted`, actual `trusted` or OpenSSL's reason (CERT_HAS_EXPIRED…); undefined trust: no handshake. */
export function tlsCondition(trust: string | undefined): Condition {
  if (trust === undefined) return { subject: 'TLS', condition: '== trusted', ok: false };
  return { subject: 'TLS', condition: '== trusted', actual: trust.slice(0, MAX_TEXT), ok: trust === 'trusted' };
}
