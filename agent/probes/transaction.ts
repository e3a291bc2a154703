/**
 * `transaction` probe: a scripted visit to a web app — GET the login page, POST the form or JSON, follow the
 * redirect, GET a page behind the login — each step checked (status, keyword, JSON path) and timed on its own,
 * so a result says *which* step of the one-stop-shop or civil-status app broke, not only that something did.
 *
 * Requests go through exchange.ts, as the http probe's do: same phases, TLS check, redirect rules and evidence.
 * Cookies live in a jar made for each round and dropped after it: every round logs in from scratch, as a clerk
 * does in the morning, so a session left over from an earlier round never hides a broken login.
 * Secrets come from credentials.ts and are masked in every message this probe returns.
 */
import net from 'node:net';
import type { Condition, ProbeOutcome, TransactionDetail, TransactionStep } from '../../protocol/wire.js';
import { responseTimeCondition } from './conditions.js';
import {
  credentialForms,
  fill,
  fillJson,
  loadCredentials,
  MissingCredential,
  redactor,
  type Credentials,
} from './credentials.js';
import { ProbeErrorCode } from './errors.js';
import { exchange, type CookieStore, type Exchange, type ExchangeRequest } from './exchange.js';
import { addPreview, exchangeConditions, keywordMissing, statusMismatch } from './http.js';
import { failure, roundMs, since, startDeadline } from './outcome.js';
import { defineProbe } from './probe.js';
import { DEFAULT_MAX_BODY, TransactionTarget } from './schemas.js';

/** One step of a transaction target, as configured. */
type Step = TransactionTarget['steps'][number];

/**
 * Cookies of one round: enough of RFC 6265 for a login session — host-only or Domain, Path, Secure, deletion
 * by Max-Age/Expires. No public-suffix list: the jar lives for one round and only meets the hosts it was sent to.
 */
export class CookieJar implements CookieStore {
  private cookies: { name: string; value: string; domain: string; hostOnly: boolean; path: string; secure: boolean }[] =
    [];
  constructor(private readonly now: () => number = Date.now) {}

  store(url: URL, setCookie: readonly string[]): void {
    const host = url.hostname.toLowerCase();
    for (const line of setCookie) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const slash = url.pathname.lastIndexOf('/');
      const cookie = {
        name: pair.slice(0, eq).trim(),
        value: pair.slice(eq + 1).trim(),
        domain: host,
        hostOnly: true,
        path: slash > 0 ? url.pathname.slice(0, slash) : '/',
        secure: false,
      };
      let maxAge: number | undefined,
        expires: number | undefined,
        foreign = false;
      for (const attribute of attributes) {
        const [key = '', value = ''] = attribute.split(/=(.*)/s).map((s) => s.trim());
        const k = key.toLowerCase();
        if (k === 'path' && value.startsWith('/')) cookie.path = value;
        else if (k === 'secure') cookie.secure = true;
        else if (k === 'max-age') maxAge = Number(value);
        else if (k === 'expires') expires = Date.parse(value);
        else if (k === 'domain' && value !== '') {
          cookie.domain = value.replace(/^\./, '').toLowerCase();
          cookie.hostOnly = false;
          foreign = !domainMatch(host, cookie.domain);
        }
      }
      if (foreign) continue; // a server may not set cookies for another site
      this.cookies = this.cookies.filter(
        (c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path),
      );
      // Max-Age wins over Expires (RFC 6265 §5.3); a past date or Max-Age <= 0 deletes, as at logout.
      const gone =
        maxAge !== undefined && !Number.isNaN(maxAge) ? maxAge <= 0 : expires !== undefined && expires <= this.now();
      if (!gone) this.cookies.push(cookie);
    }
  }

  header(url: URL): string | undefined {
    const host = url.hostname.toLowerCase();
    const path = url.pathname || '/';
    const sent = this.cookies
      .filter(
        (c) =>
          (c.hostOnly ? host === c.domain : domainMatch(host, c.domain)) && (!c.secure || url.protocol === 'https:'),
      )
      .filter(
        (c) => path === c.path || (path.startsWith(c.path) && (c.path.endsWith('/') || path[c.path.length] === '/')),
      )
      .sort((a, b) => b.path.length - a.path.length); // more specific paths first, as browsers send them
    return sent.length > 0 ? sent.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }
}

const domainMatch = (host: string, domain: string): boolean =>
  host === domain || (net.isIP(host) === 0 && host.endsWith(`.${domain}`));

/** The value at `path` in `doc`, or `found: false`. Paths are those JSON_PATH admits. */
function lookup(doc: unknown, path: string): { found: boolean; value?: unknown } {
  let value = doc;
  for (const [, key, index] of path.slice(1).matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    if (index !== undefined) {
      if (!Array.isArray(value) || Number(index) >= value.length) return { found: false };
      value = value[Number(index)];
    } else {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key!))
        return { found: false };
      value = (value as Record<string, unknown>)[key!];
    }
  }
  return { found: true, value };
}

const show = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

type JsonCheck = NonNullable<Step['jsonPath']>;

/** The jsonPath check as a condition: `$.data.total == 12`, `$.token exists`, `$.error absent`. */
function jsonCondition(check: JsonCheck, body: Buffer | undefined): Condition {
  const condition =
    check.exists === false
      ? `${check.path} absent`
      : check.equals !== undefined
        ? `${check.path} == ${show(check.equals)}`
        : `${check.path} exists`;
  if (body === undefined) return { subject: 'BODY', condition, ok: false };
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, '')); // some servers send a BOM
  } catch {
    return { subject: 'BODY', condition, actual: 'not JSON', ok: false };
  }
  const { found, value } = lookup(doc, check.path);
  const actual = found ? show(value) : 'absent';
  const ok = check.exists === false ? !found : found && (check.equals === undefined || value === check.equals);
  return { subject: 'BODY', condition, actual, ok };
}

/** Why the body fails the jsonPath check, or undefined when it passes. */
function jsonMismatch(check: JsonCheck, body: Buffer | undefined, bytes: number): string | undefined {
  const c = jsonCondition(check, body ?? Buffer.alloc(0));
  if (c.ok) return undefined;
  if (c.actual === 'not JSON') return `body is not JSON (first ${bytes} bytes read)`;
  if (check.exists === false) return `${check.path} is present (${c.actual}), expected absent`;
  if (c.actual === 'absent') return `${check.path} not found in the JSON body`;
  return `${check.path} is ${c.actual}, expected ${show(check.equals)}`;
}

/**
 * The step's evidence on its entry: URL, address, status line, conditions, and the body's start when the step
 * failed or checks the body — every text with the credentials masked, whatever the server echoed.
 */
function addEvidence(
  entry: TransactionStep,
  ex: Exchange,
  step: Step,
  target: TransactionTarget,
  mask: { redact: (text: string) => string; secrets: readonly string[] },
): void {
  const { url, address, statusLine } = ex.detail;
  if (url !== undefined) entry.url = mask.redact(url);
  if (address !== undefined) entry.address = address;
  if (statusLine !== undefined) entry.statusLine = mask.redact(statusLine);
  const answered = ex.error === undefined;
  const conditions = exchangeConditions(ex, { ...step, insecureSkipVerify: target.insecureSkipVerify });
  if (step.jsonPath !== undefined) conditions.push(jsonCondition(step.jsonPath, answered ? ex.body : undefined));
  entry.conditions = conditions.map((c) => ({
    ...c,
    condition: mask.redact(c.condition),
    ...(c.actual === undefined ? {} : { actual: mask.redact(c.actual) }),
  }));
  // Unlike single HTTP checks, a visit keeps the preview of body-checked steps even when they pass: visits run
  // every few minutes, not every few seconds, and which page each step actually saw is the evidence of a visit.
  const checksBody = step.keyword !== undefined || step.jsonPath !== undefined;
  addPreview(entry, ex, !entry.conditions.every((c) => c.ok) || !answered || checksBody, mask.secrets);
}

const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The step's request with credentials filled in; throws MissingCredential, or Error when the result is unusable. */
function prepare(
  step: Step,
  target: TransactionTarget,
  values: Credentials,
): Omit<ExchangeRequest, 'timeoutMs' | 'cookies'> {
  const text = fill(step.url, values, encodeURIComponent);
  if (!URL.canParse(text)) throw new Error('url is not a valid URL once placeholders are filled');
  const url = new URL(text);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.headers ?? {})) {
    headers[name] = fill(value, values);
    // The schema vetted the configured text; a credential may still hold CR/LF or characters a header cannot carry.
    if (!HEADER_VALUE.test(headers[name]!))
      throw new Error(`header ${name}: a credential holds characters not allowed in a header`);
  }
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  let body: string | undefined;
  if (step.form !== undefined) {
    body = new URLSearchParams(
      Object.entries(step.form).map(([k, v]): [string, string] => [k, fill(v, values)]),
    ).toString();
    if (!hasType) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (step.json !== undefined) {
    body = JSON.stringify(fillJson(step.json, values));
    if (!hasType) headers['Content-Type'] = 'application/json';
  }
  return {
    url,
    method: step.method ?? 'GET',
    headers,
    body,
    followRedirects: step.followRedirects !== false,
    insecureSkipVerify: target.insecureSkipVerify === true,
    maxBodyBytes: target.maxBodyBytes ?? DEFAULT_MAX_BODY,
    keepBody: step.keyword !== undefined || step.jsonPath !== undefined,
  };
}

/**
 * `transaction` probe. ok when every step passes its checks, in order; the first failing step ends the round.
 * `transaction.steps` lists the steps run, each with status, phases (summed over its redirects) and duration;
 * `failedStep` names the one that failed, and `error` is its error with the step name in front. `latencyMs` is
 * the sum of step durations, set only when every step got an answer, so rounds compare like with like.
 * Failures: the http probe's codes, CW_ERR_PROBE_HTTP_JSON, and CW_ERR_PROBE_CREDENTIALS (nothing was sent).
 */
export const transaction = defineProbe({
  kind: 'transaction',
  targetSchema: TransactionTarget,
  async run(target, ctx): Promise<ProbeOutcome> {
    const start = performance.now();
    const steps: TransactionStep[] = [];
    const detail: TransactionDetail = { steps };
    let values: Credentials = {};
    if (target.credentials !== undefined) {
      const loaded = await loadCredentials(target.credentials);
      if (!loaded.ok) return failure(start, ProbeErrorCode.CREDENTIALS, loaded.message, { transaction: detail });
      values = loaded.values;
    }
    const redact = redactor(values);
    const mask = { redact, secrets: credentialForms(values) };
    // The whole visit against the budget; without a latency (a step got no answer) the check fails unmeasured.
    const budget = (latencyMs: number | undefined): void => {
      if (ctx.latencyBudgetMs !== undefined)
        detail.conditions = [responseTimeCondition(ctx.latencyBudgetMs, latencyMs)];
    };
    const fail = (step: TransactionStep, code: ProbeErrorCode, message: string, latencyMs?: number): ProbeOutcome => {
      step.error = { code, message: redact(message).slice(0, 2000) };
      step.ok = false;
      detail.failedStep = step.name;
      budget(latencyMs);
      return failure(start, code, `${step.name}: ${step.error.message}`, {
        ...(latencyMs === undefined ? {} : { latencyMs }),
        transaction: detail,
      });
    };

    // Every request is prepared before the first is sent: a missing credential must not leave half a login behind.
    const requests: ReturnType<typeof prepare>[] = [];
    for (const step of target.steps) {
      try {
        requests.push(prepare(step, target, values));
      } catch (err) {
        const entry: TransactionStep = { name: step.name, ok: false, durationMs: 0 };
        steps.push(entry);
        const code = err instanceof MissingCredential ? ProbeErrorCode.CREDENTIALS : ProbeErrorCode.HTTP_PROTOCOL;
        return fail(entry, code, (err as Error).message);
      }
    }

    const jar = new CookieJar(ctx.now);
    const deadline = startDeadline(ctx);
    let latencyMs = 0;
    try {
      for (const [i, step] of target.steps.entries()) {
        const t0 = performance.now();
        const ex = await exchange(
          { ...requests[i]!, timeoutMs: ctx.timeoutMs, cookies: jar, localAddress: ctx.sourceAddress },
          deadline.signal,
          t0,
        );
        const entry: TransactionStep = {
          name: step.name,
          ok: true,
          durationMs: ex.error ? since(t0) : ex.latencyMs,
          phases: ex.detail.phases,
        };
        if (ex.detail.statusCode !== undefined) entry.statusCode = ex.detail.statusCode;
        addEvidence(entry, ex, step, target, mask);
        steps.push(entry);
        if (ex.error) return fail(entry, ex.error.code, ex.error.message);
        latencyMs = roundMs(latencyMs + entry.durationMs);
        // A failed check reports latency only on the last step: earlier, later steps never ran and the sum would
        // not compare with other rounds'.
        const answered = i === target.steps.length - 1 ? latencyMs : undefined;
        const badStatus = statusMismatch(entry.statusCode ?? 0, step.expectStatus);
        if (badStatus !== undefined) return fail(entry, ProbeErrorCode.HTTP_STATUS, badStatus, answered);
        const noKeyword = keywordMissing(ex.body, ex.bytes, step.keyword);
        if (noKeyword !== undefined) return fail(entry, ProbeErrorCode.HTTP_KEYWORD, noKeyword, answered);
        const badJson = step.jsonPath && jsonMismatch(step.jsonPath, ex.body, ex.bytes);
        if (badJson) return fail(entry, ProbeErrorCode.HTTP_JSON, badJson, answered);
      }
      budget(latencyMs);
      return { ok: true, durationMs: since(start), latencyMs, transaction: detail };
    } finally {
      deadline.dispose();
    }
  },
});
