/**
 * `http` probe: one request through `exchange` (agent/probes/exchange.ts), then the configured checks — status,
 * keyword, certificate lifetime — judged in a fixed order and written out as conditions with their outcomes, with
 * the redacted start of the body as evidence. The checks it shares with each `transaction` step live here too.
 */
import { bodyPreview } from '../../common/redact.js';
import { BODY_PREVIEW_BYTES, BODY_PREVIEW_MAX_CHARS, type Condition, type ProbeOutcome } from '../../protocol/wire.js';
import {
  certificateCondition,
  describeExpect,
  keywordCondition,
  responseTimeCondition,
  statusAccepted,
  statusCondition,
  tlsCondition,
} from './conditions.js';
import { ProbeErrorCode } from './errors.js';
import { exchange, type Exchange } from './exchange.js';
import { failure, since, startDeadline } from './outcome.js';
import { defineProbe } from './probe.js';
import { DEFAULT_EXPECT, DEFAULT_MAX_BODY, HttpTarget } from './schemas.js';

/** Sent on every probe; re-exported from the module that sends it. */
export { USER_AGENT } from './exchange.js';

type ExpectStatus = NonNullable<HttpTarget['expectStatus']>;

/** `status 503, expected 200-399` when `status` is not accepted; undefined when it is. */
export function statusMismatch(status: number, expect: ExpectStatus = DEFAULT_EXPECT): string | undefined {
  if (statusAccepted(status, expect)) return undefined;
  return `status ${status}, expected ${describeExpect(expect)}`;
}

/** Why `keyword` is missing from the body read, or undefined when present (or not asked for). */
export function keywordMissing(
  body: Buffer | undefined,
  bytes: number,
  keyword: string | undefined,
): string | undefined {
  if (keyword === undefined || (body ?? Buffer.alloc(0)).includes(keyword)) return undefined;
  return `keyword "${keyword}" not found in the first ${bytes} bytes of the body`;
}

/** The checks the http probe and each transaction step share, as they are configured. */
export interface HttpChecks {
  expectStatus?: ExpectStatus;
  keyword?: string;
  insecureSkipVerify?: boolean;
}

/**
 * Conditions of the shared checks, in the order a reader scans them: STATUS, BODY (keyword), then TLS when the
 * certificate is checked (https without insecureSkipVerify). Evaluated all, not up to the first failure.
 */
export function exchangeConditions(ex: Exchange, checks: HttpChecks): Condition[] {
  const answered = ex.error === undefined;
  const conditions = [statusCondition(checks.expectStatus, answered ? ex.detail.statusCode : undefined)];
  if (checks.keyword !== undefined)
    conditions.push(keywordCondition(checks.keyword, answered ? (ex.body ?? Buffer.alloc(0)) : undefined));
  if (checks.insecureSkipVerify !== true && (ex.tlsTrust !== undefined || ex.detail.url?.startsWith('https:')))
    conditions.push(tlsCondition(ex.tlsTrust));
  return conditions;
}

/**
 * Sets `detail.bodyPreview` from the exchange's body start when `include` (a failure): redacted, `secrets` masked,
 * never from a compressed body, never empty. Not on successes: a BODY condition's ✓ "found" already proves them,
 * and a 1 KB preview on every ok result of thousands of keyword checks a minute would cost ~130 GB a month of raw
 * results for nothing (measured: 214 B → 1,075 B per result).
 */
export function addPreview(
  detail: { bodyPreview?: string },
  ex: Exchange,
  include: boolean,
  secrets: readonly string[] = [],
): void {
  const start = ex.bodyStart;
  if (!include || start === undefined || start.encoded) return;
  const text = bodyPreview(start.bytes, {
    maxBytes: BODY_PREVIEW_BYTES,
    maxChars: BODY_PREVIEW_MAX_CHARS,
    truncated: start.truncated,
    secrets,
  });
  if (text !== '') detail.bodyPreview = text;
}

/**
 * `http` probe. ok when the final response's status is in `expectStatus` (default 200–399), if `keyword` is set
 * the first `maxBodyBytes` of the body contain it, and if `minCertValidDays` is set the certificate chain lasts
 * longer. `latencyMs` = `http.phases.totalMs`; phases are summed over redirect hops. Every result carries the
 * conditions checked (plus RESPONSE_TIME against ctx.latencyBudgetMs) with their outcomes; a failed one, or one
 * with a keyword, carries the redacted start of the body. Failures: CW_ERR_PROBE_HTTP_STATUS, _HTTP_KEYWORD, _TLS,
 * _HTTP_PROTOCOL, connect errors.
 */
/** The outcome of one http round: the first failed check, in a fixed order, names the error. */
function judge(start: number, ex: Exchange, target: HttpTarget, cert: Condition | undefined): ProbeOutcome {
  if (ex.error) return failure(start, ex.error.code, ex.error.message, { http: ex.detail });
  const measured = { latencyMs: ex.latencyMs, http: ex.detail };
  const badStatus = statusMismatch(ex.detail.statusCode ?? 0, target.expectStatus);
  if (badStatus !== undefined) return failure(start, ProbeErrorCode.HTTP_STATUS, badStatus, measured);
  const noKeyword = keywordMissing(ex.body, ex.bytes, target.keyword);
  if (noKeyword !== undefined) return failure(start, ProbeErrorCode.HTTP_KEYWORD, noKeyword, measured);
  if (cert !== undefined && !cert.ok) {
    const host = new URL(ex.detail.url ?? target.url).host;
    const message = `certificate of ${host} expires in ${cert.actual ?? '?'}, less than the ${target.minCertValidDays}d asked`;
    return failure(start, ProbeErrorCode.TLS, message, measured);
  }
  return { ok: true, durationMs: since(start), ...measured };
}

export const http = defineProbe({
  kind: 'http',
  targetSchema: HttpTarget,
  async run(target, ctx): Promise<ProbeOutcome> {
    const start = performance.now();
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      return failure(start, ProbeErrorCode.HTTP_PROTOCOL, 'invalid URL');
    }
    const deadline = startDeadline(ctx);
    try {
      const ex = await exchange(
        {
          url,
          method: target.method ?? 'GET',
          headers: target.headers ?? {},
          body: target.body,
          followRedirects: target.followRedirects !== false,
          insecureSkipVerify: target.insecureSkipVerify === true,
          maxBodyBytes: target.maxBodyBytes ?? DEFAULT_MAX_BODY,
          keepBody: target.keyword !== undefined,
          timeoutMs: ctx.timeoutMs,
          localAddress: ctx.sourceAddress,
        },
        deadline.signal,
        start,
      );
      const conditions = exchangeConditions(ex, target);
      const cert =
        target.minCertValidDays !== undefined && (ex.detail.certExpiresAt !== undefined || url.protocol === 'https:')
          ? certificateCondition(target.minCertValidDays, ex.detail.certExpiresAt, ctx.now())
          : undefined;
      if (cert) conditions.push(cert);
      if (ctx.latencyBudgetMs !== undefined)
        conditions.push(responseTimeCondition(ctx.latencyBudgetMs, ex.error ? undefined : ex.latencyMs));
      ex.detail.conditions = conditions;
      const outcome = judge(start, ex, target, cert);
      addPreview(ex.detail, ex, !outcome.ok);
      return outcome;
    } finally {
      deadline.dispose();
    }
  },
});
