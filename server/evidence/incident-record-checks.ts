/**
 * The failing checks of an incident record: each evidence result read back in full from the stored
 * results, as conditions with their outcomes (`[STATUS] == 200-399 ✗ 503`), timing phases, the status line
 * and the first bytes of the body. Agents that send their own conditions (HttpDetail.conditions, issue 14)
 * are shown as sent; for older agents the conditions are derived from the error code and message, which say
 * the same thing in words (`status 503, expected 200-399`). Nothing secret leaves here, whatever an older or
 * foreign agent sent: URLs go through common/redact.ts redactUrl (no credentials, query or fragment), and every
 * free text — error messages, status lines, body previews, condition outcomes, summaries — through
 * bundle-sanitize.ts scrubText (common/redact.ts redactText plus query strings, userinfo, cookies, our tokens).
 */
import { redactUrl } from '../../common/redact.js';
import type { ProbeResult } from '../../protocol/wire.js';
import type { EvidenceRow } from '../outages/incident.js';
import type { StoredResult } from '../store/store.js';
import { scrubText } from './bundle-sanitize.js';

/** One check as a Gatus-style condition with its outcome. */
export interface RecordCondition {
  /** What was checked (protocol/wire.ts CONDITION_SUBJECTS, plus CONNECTED, DNS, LOSS, RESULT derived here). */
  subject: string;
  /** The expectation: `== 200-399`, `contains "Đăng nhập"`, `< 3000 ms`. */
  condition: string;
  /** What was seen (`503`, `4210 ms`), null when there is nothing to show (a keyword absent). */
  actual: string | null;
  ok: boolean;
}

/** Timing phases of an HTTP check, ms. */
export interface RecordPhases {
  resolveMs?: number;
  connectMs?: number;
  tlsMs?: number;
  processingMs?: number;
  transferMs?: number;
  firstByteMs?: number;
  totalMs?: number;
}

/** One evidence result as the record shows it. */
export interface RecordResult {
  resultId: string;
  ts: number;
  ok: boolean;
  commune: string;
  target: string;
  kind: string | null;
  /** False when the raw result is past retention: only the evidence summary is left. */
  stored: boolean;
  layer: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  statusCode: number | null;
  statusLine: string | null;
  url: string | null;
  address: string | null;
  latencyMs: number | null;
  phases: RecordPhases | null;
  conditions: RecordCondition[];
  /** True when the conditions were derived from the error here rather than sent by the agent. */
  conditionsDerived: boolean;
  bodyPreview: string | null;
  /** Transactions: the step that failed. */
  failedStep: string | null;
  /** The one-line summary kept with the evidence (survives raw-result retention). */
  summary: string;
}

/** The fields issue 14 adds to HttpDetail (and transaction steps); read defensively, older agents lack them. */
interface HttpExtras {
  url?: string;
  address?: string;
  statusLine?: string;
  bodyPreview?: string;
  conditions?: Array<{ subject?: string; condition?: string; actual?: unknown; ok?: boolean }>;
  statusCode?: number;
  phases?: RecordPhases;
}

const BODY_PREVIEW_CHARS = 300;

/** A URL as a printed record may show it (common/redact.ts redactUrl); null for none. */
const safeUrl = (url: string | undefined | null): string | null => (url ? redactUrl(url) : null);

/** The result for an evidence row, looked up by commune, target and time (the primary key's order). */
export function storedResultOf(
  read: (q: { commune: string; target: string; from: number; to: number; limit: number }) => StoredResult[],
  e: EvidenceRow,
): StoredResult | undefined {
  return read({ commune: e.commune, target: e.target, from: e.ts, to: e.ts + 1, limit: 20 }).find(
    (r) => r.id === e.resultId,
  );
}

/** The HTTP-like detail of a result: the http object, or a transaction's failed (else last) step. */
function httpOf(r: ProbeResult): { http?: HttpExtras; step?: string } {
  if (r.http) return { http: r.http as HttpExtras };
  const tx = r.transaction;
  if (!tx || tx.steps.length === 0) return {};
  const step = tx.steps.find((s) => s.name === tx.failedStep) ?? tx.steps.at(-1)!;
  // The step's own checks, then the whole transaction's (its RESPONSE_TIME is the sum of the steps).
  const conditions = [...((step as HttpExtras).conditions ?? []), ...(tx.conditions ?? [])];
  return { http: { ...(step as HttpExtras), conditions }, ...(tx.failedStep !== undefined && { step: tx.failedStep }) };
}

/** Conditions the agent sent, normalised; undefined when it sent none. */
function sentConditions(http: HttpExtras | undefined): RecordCondition[] | undefined {
  const list = http?.conditions;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list.map((c) => ({
    subject: String(c.subject ?? '').replace(/^\[(.*)\]$/, '$1'),
    condition: String(c.condition ?? ''),
    actual: c.actual === undefined || c.actual === null ? null : scrubText(String(c.actual)),
    ok: c.ok === true,
  }));
}

/** What an older agent's result says, as conditions: the failed one from its error, the rest from its figures. */
export function deriveConditions(r: ProbeResult): RecordCondition[] {
  const out: RecordCondition[] = [];
  const code = r.error?.code;
  const message = r.error?.message ?? '';
  const status = r.http?.statusCode ?? httpOf(r).http?.statusCode;
  const fail = (subject: string, condition: string, actual: string | null) =>
    out.push({ subject, condition, actual, ok: false });
  if (code === 'CW_ERR_PROBE_HTTP_STATUS') {
    const m = /status (\d+), expected (.+)$/.exec(message);
    fail('STATUS', `== ${m?.[2] ?? '200-399'}`, m?.[1] ?? (status !== undefined ? String(status) : null));
  } else if (status !== undefined && status > 0) {
    out.push({ subject: 'STATUS', condition: `== ${status}`, actual: String(status), ok: true });
  }
  if (code === 'CW_ERR_PROBE_HTTP_KEYWORD') {
    const m = /keyword "(.*)" not found/.exec(message);
    fail('BODY', `contains "${m?.[1] ?? '…'}"`, null);
  } else if (code === 'CW_ERR_PROBE_HTTP_JSON') fail('BODY', 'JSON as expected', null);
  else if (code === 'CW_ERR_PROBE_TIMEOUT') {
    const m = /within (\d+) ms/.exec(message);
    fail('RESPONSE_TIME', m ? `< ${m[1]} ms` : '< timeout', 'timeout');
  } else if (code === 'CW_ERR_PROBE_DNS' || code === 'CW_ERR_PROBE_DNS_NO_ANSWER') fail('DNS', 'resolves', code);
  else if (code === 'CW_ERR_PROBE_DNS_ANSWER_MISMATCH') fail('DNS', 'answers as expected', null);
  else if (
    code === 'CW_ERR_PROBE_CONN_REFUSED' ||
    code === 'CW_ERR_PROBE_UNREACHABLE' ||
    code === 'CW_ERR_PROBE_CONN_RESET'
  )
    fail('CONNECTED', '== true', 'false');
  else if (code === 'CW_ERR_PROBE_TLS') fail('CERTIFICATE', 'valid', null);
  else if (code === 'CW_ERR_PROBE_ICMP_NO_REPLY') fail('LOSS', '< 100%', '100%');
  else if (code && code !== 'CW_ERR_PROBE_HTTP_STATUS') fail('RESULT', 'ok', code);
  if (r.icmp && code !== 'CW_ERR_PROBE_ICMP_NO_REPLY') {
    const pct = Math.round(r.icmp.lossRatio * 100);
    out.push({ subject: 'LOSS', condition: '< 100%', actual: `${pct}%`, ok: r.icmp.received > 0 });
  }
  if (r.latencyMs !== undefined && code !== 'CW_ERR_PROBE_TIMEOUT') {
    const slow = r.layer === 'slow';
    out.push({
      subject: 'RESPONSE_TIME',
      condition: slow ? 'within budget' : 'measured',
      actual: `${Math.round(r.latencyMs)} ms`,
      ok: !slow,
    });
  }
  return out;
}

/** One evidence row with everything the stored result still tells. */
export function recordResult(e: EvidenceRow, r: StoredResult | undefined): RecordResult {
  const base: RecordResult = {
    resultId: e.resultId,
    ts: e.ts,
    ok: e.ok,
    commune: e.commune,
    target: e.target,
    kind: r?.kind ?? null,
    stored: r !== undefined,
    layer: e.layer,
    errorCode: e.errorCode,
    errorMessage: null,
    statusCode: null,
    statusLine: null,
    url: null,
    address: null,
    latencyMs: null,
    phases: null,
    conditions: [],
    conditionsDerived: true,
    bodyPreview: null,
    failedStep: null,
    summary: scrubText(e.summary),
  };
  if (!r) return base;
  const { http, step } = httpOf(r);
  const sent = sentConditions(http);
  const preview = http?.bodyPreview;
  return {
    ...base,
    errorMessage: r.error ? scrubText(r.error.message) : null,
    statusCode: http?.statusCode ?? null,
    statusLine: http?.statusLine ? scrubText(http.statusLine).slice(0, 200) : null,
    url: safeUrl(http?.url),
    address: http?.address ?? r.tcp?.address ?? r.dns?.server ?? null,
    latencyMs: r.latencyMs ?? null,
    phases: http?.phases && Object.keys(http.phases).length > 0 ? { ...http.phases } : null,
    conditions: sent ?? deriveConditions(r),
    conditionsDerived: sent === undefined,
    // Masked again here (defence in depth): an old or foreign agent may send an unmasked preview.
    bodyPreview: preview ? scrubText(preview).slice(0, BODY_PREVIEW_CHARS) : null,
    failedStep: step ?? null,
  };
}

/** `[STATUS] == 200-399 ✗ 503`: one condition as a line of the record. */
export function conditionLine(c: RecordCondition): string {
  const head = [`[${c.subject}]`, c.condition].filter(Boolean).join(' ');
  return `${head} ${c.ok ? '✓' : '✗'}${c.actual !== null ? ` ${c.actual}` : ''}`;
}
