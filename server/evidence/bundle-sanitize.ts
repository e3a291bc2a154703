/**
 * The last line of defence before anything leaves the server in a bundle: every text the builder takes from
 * the store (incident notes, evidence summaries, RUM messages, stacks and pages, record fragments) goes
 * through `scrubText`, and bundle.json's whole model through `scrubDeep`. The model itself is built from
 * listed fields only (never a stored row spread whole), so no token hash, password hash or key can come in
 * by a column; this catches what people and probes wrote into free text.
 *
 * On top of common/redact.ts (secret-looking key=value pairs, Bearer/Basic, JWTs, long hex and base64 runs,
 * e-mail local parts, phone and citizen-id numbers): query strings and fragments of URLs and paths (they
 * carry session ids and reset tokens), user:password@ in URLs, CommuneWatch's own `cwa_/cwk_/cwr_` tokens,
 * password hashes (scrypt, bcrypt, argon2), cookie headers, and literal secret values the caller knows
 * (e.g. a transaction probe's credentials).
 */
import { maskSecrets, redactText } from '../../common/redact.js';

const MASK = '***';
const CW_TOKEN = /\bcw[akr]_[A-Za-z0-9_-]+/g;
const PASSWORD_HASH = /(?:\bscrypt\$|\$2[abxy]\$|\$argon2(?:id|i|d)\$)[^\s"'<>,;]*/g;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>]+@/gi;
/** A query string or fragment after a URL or an absolute path: everything from ? or # to the next delimiter. */
const QUERY = /((?:[a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*|(?<![\w/])\/[^\s?#"'<>]*))[?#][^\s"'<>]*/gi;
const COOKIE_HEADER = /\b((?:set-)?cookie)\s*:\s*[^\n]*/gi;
const SESSION_COOKIE = /\bcw_session=[^\s;"'<>]*/g;

/** `text` with secrets masked (see the module header); `secrets` are literal values to mask too. */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  const literal = maskSecrets(text, secrets);
  return redactText(
    literal
      .replace(CW_TOKEN, MASK)
      .replace(PASSWORD_HASH, MASK)
      .replace(URL_USERINFO, (_, scheme: string) => `${scheme}${MASK}@`)
      .replace(QUERY, (_, base: string) => `${base}?${MASK}`)
      .replace(COOKIE_HEADER, (_, name: string) => `${name}: ${MASK}`)
      .replace(SESSION_COOKIE, `cw_session=${MASK}`),
  );
}

/** A copy of a JSON-like value with every string scrubbed (keys are the builder's own and stay). */
export function scrubDeep<T>(value: T, secrets: readonly string[] = []): T {
  if (typeof value === 'string') return scrubText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, secrets);
    return out as T;
  }
  return value;
}
