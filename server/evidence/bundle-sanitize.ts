/**
 * The server's scrubber for text that leaves it as evidence (the incident record, the vendor bundle): the
 * bundle's whole model goes through `scrubDeep`, each incident record's data too BEFORE it is rendered
 * (scrubbing HTML afterwards would miss values hidden by escaping, `&quot;`), and the record's free texts
 * (error messages, summaries, body previews) through `scrubText` as they are read back from stored results
 * (incident-record-checks.ts). The bundle model is built from listed fields only (never a stored row spread
 * whole), so no token hash, password hash or key can come in by a column; this catches what people and probes
 * wrote into free text — incident notes, replies, error messages, RUM messages, stacks and pages.
 *
 * The server never knows a transaction probe's credentials: the agent masks them, literally, in everything it
 * sends (common/redact.ts maskSecrets, agent/probes/transaction.ts). What is masked here is what looks secret:
 * common/redact.ts redactText (secret-looking key=value pairs, quoted or not, Bearer/Basic, JWTs, long hex and
 * base64 runs, e-mail local parts, phone and citizen-id numbers), and on top of it query strings and fragments
 * of URLs and paths (they carry session ids and reset tokens), user:password@ in URLs, CommuneWatch's own
 * `cwa_/cwk_/cwr_` tokens, password hashes (scrypt, bcrypt, argon2) and cookie headers.
 */
import { redactText } from '../../common/redact.js';

const MASK = '***';
const CW_TOKEN = /\bcw[akr]_[A-Za-z0-9_-]+/g;
const PASSWORD_HASH = /(?:\bscrypt\$|\$2[abxy]\$|\$argon2(?:id|i|d)\$)[^\s"'<>,;]*/g;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>]+@/gi;
/** A query string or fragment after a URL or an absolute path: everything from ? or # to the next delimiter. */
const QUERY = /((?:[a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*|(?<![\w/])\/[^\s?#"'<>]*))[?#][^\s"'<>]*/gi;
const COOKIE_HEADER = /\b((?:set-)?cookie)\s*:\s*[^\n]*/gi;
const SESSION_COOKIE = /\bcw_session=[^\s;"'<>]*/g;

/** `text` with whatever looks secret masked (see the module header); the rest is unchanged. */
export function scrubText(text: string): string {
  return redactText(
    text
      .replace(CW_TOKEN, MASK)
      .replace(PASSWORD_HASH, MASK)
      .replace(URL_USERINFO, (_, scheme: string) => `${scheme}${MASK}@`)
      .replace(QUERY, (_, base: string) => `${base}?${MASK}`)
      .replace(COOKIE_HEADER, (_, name: string) => `${name}: ${MASK}`)
      .replace(SESSION_COOKIE, `cw_session=${MASK}`),
  );
}

/** A copy of a JSON-like value with every string scrubbed (keys are the builder's own and stay). */
export function scrubDeep<T>(value: T): T {
  if (typeof value === 'string') return scrubText(value) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v);
    return out as T;
  }
  return value;
}
