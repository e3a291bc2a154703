/**
 * Masks secrets and personal data in text an agent quotes as evidence: the first bytes of a response body and the
 * URL it probed. The text ends up in incident records and vendor bundles that leave the province, so it is masked
 * where it is captured — on the agent, before it is queued — and again by whoever publishes it, if they wish
 * (this module is in common/ so the server can re-apply it).
 *
 * Heuristic, and deliberately eager: a masked word in a preview costs nothing, a leaked session token or a
 * citizen's e-mail address does. What is masked, each replaced by `***`:
 * - values after secret-looking keys (password, passwd, pwd, token, secret, session, sessid, csrf, xsrf,
 *   authorization, api key, cookie) in JSON, JavaScript, `key=value` forms and `Key: value` headers;
 * - the value of `<input type=hidden|password>` and of inputs or `<meta>` tags named like a secret;
 * - `Bearer …`/`Basic …` credentials, JWTs, hex runs ≥ 32 and base64 runs ≥ 32 (mixed case with a digit);
 * - e-mail local parts (the domain stays: it tells which system answered), Vietnamese phone numbers, and 12-digit
 *   citizen ID numbers (CCCD).
 */

const MASK = '***';
const SECRET_WORDS = 'password|passwd|pwd|token|secret|session|sessid|csrf|xsrf|authorization|api[-_]?key|cookie';
// Bounded on both sides: key names are short, and unbounded runs let a hostile page cost cubic time.
const KEY = String.raw`[\w.-]{0,32}?(?:${SECRET_WORDS})[\w.-]{0,32}`;

/** `"password": "x"`, `token: 'x'`, `secret = "x"` (JSON, JavaScript) — quoted values, escapes honoured. */
const QUOTED_VALUE = new RegExp(String.raw`((["']?)${KEY}\2\s*[:=]\s*)(["'])(?:\\.|(?!\3)[^\\])*(?:\3|$)`, 'gi');
/** `password=x&…`, `"token": 12345`, `Authorization: Bearer x` — unquoted values up to a delimiter. */
const BARE_VALUE = new RegExp(String.raw`((["']?)${KEY}\2\s*[:=]\s*)(?!["'\s])[^\s&;,}\]<>"']+`, 'gi');
const INPUT_TAG = /<(input|meta)\b[^>]*>/gi;
const SECRET_NAME = new RegExp(String.raw`\b(?:name|id|property)\s*=\s*["']?${KEY}`, 'i');
const HIDDEN_TYPE = /\btype\s*=\s*["']?(?:hidden|password)\b/i;
const TAG_VALUE = /(\b(?:value|content)\s*=\s*)(?:"[^"]*"|'[^']*'|[^\s>]+)/gi;
const AUTH_SCHEME = /\b(Bearer|Basic|Token)\s+[\w.~+/-]+=*/g;
const JWT = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g;
const HEX_RUN = /\b[0-9a-fA-F]{32,}\b/g;
const BASE64_RUN = /[A-Za-z0-9+/_-]{32,}={0,2}/g;
const EMAIL = /[\w.+-]+@([\w-]+(?:\.[\w-]+)+)/g;
/** Vietnamese mobile and landline numbers: +84 or 0, then 9–10 digits, optionally grouped by spaces or dots. */
const PHONE = /(?<![\w+])(?:\+84|0)(?:[ .]?\d){9,10}(?!\w)/g;
const CITIZEN_ID = /(?<!\w)\d{12}(?!\w)/g;

/** A base64 run looks random: upper and lower case letters and a digit (a long path or word does not). */
const looksRandom = (run: string): boolean => /[A-Z]/.test(run) && /[a-z]/.test(run) && /\d/.test(run);

/**
 * A long base64-alphabet run masked if it looks random. With slashes it may be a path (`/dich-vu-cong/thu-tuc/…`)
 * as well as base64: then only the random-looking pieces between slashes go.
 */
function maskRandomRun(run: string): string {
  if (!run.includes('/')) return looksRandom(run) ? MASK : run;
  return run
    .split('/')
    .map((piece) => (piece.length >= 20 && looksRandom(piece) ? MASK : piece))
    .join('/');
}

/** `text` with secrets and personal data masked (see the module header); the rest is unchanged. */
export function redactText(text: string): string {
  return text
    .replace(INPUT_TAG, (tag) =>
      SECRET_NAME.test(tag) || HIDDEN_TYPE.test(tag)
        ? tag.replace(TAG_VALUE, (_, attr: string) => `${attr}"${MASK}"`)
        : tag,
    )
    .replace(QUOTED_VALUE, (_, head: string, _q: string, quote: string) => `${head}${quote}${MASK}${quote}`)
    .replace(AUTH_SCHEME, (_, scheme: string) => `${scheme} ${MASK}`)
    .replace(BARE_VALUE, (_, head: string) => `${head}${MASK}`)
    .replace(JWT, MASK)
    .replace(EMAIL, (_, domain: string) => `${MASK}@${domain}`)
    .replace(HEX_RUN, MASK)
    .replace(BASE64_RUN, maskRandomRun)
    .replace(PHONE, MASK)
    .replace(CITIZEN_ID, MASK);
}

/**
 * A URL reduced to what evidence may show: scheme, host, port and path — no userinfo, query string or fragment —
 * with token-like path segments masked (a reset link or a session in the path). Unparseable input gives `***`.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return MASK;
  }
  // URL.host omits userinfo and the scheme's default port.
  return `${parsed.protocol}//${parsed.host}${redactText(parsed.pathname)}`;
}

/** C0 and C1 controls, DEL, and the bidirectional overrides that can make a preview read differently than it is. */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` with every occurrence of each secret masked (case-insensitive, longest first). With `cut` (the text is
 * the beginning of something longer), a secret's beginning is masked too when the text ends with it: a preview
 * cut mid-password must not show its first half.
 */
export function maskSecrets(text: string, secrets: readonly string[], cut = false): string {
  const forms = [...new Set(secrets.filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return text;
  let out = text.replace(new RegExp(forms.map(escapeRegExp).join('|'), 'gi'), MASK);
  if (!cut) return out;
  const lower = out.toLowerCase();
  let keep = out.length;
  for (const form of forms) {
    for (let k = Math.min(form.length - 1, lower.length); k > 0; k--) {
      if (lower.endsWith(form.slice(0, k).toLowerCase())) {
        keep = Math.min(keep, lower.length - k);
        break;
      }
    }
  }
  if (keep < out.length) out = `${out.slice(0, keep)}${MASK}`;
  return out;
}

export interface PreviewOptions {
  /** Bytes of the body decoded at most. */
  maxBytes: number;
  /** Characters returned at most. */
  maxChars: number;
  /** Whether the body went on past what `body` holds: the last, cut word is then dropped. */
  truncated: boolean;
  /** Literal values to mask wherever they appear (a transaction's credentials, in every encoding it sends). */
  secrets?: readonly string[];
}

/**
 * Up to `maxBytes` of a body as readable, redacted text: decoded as UTF-8 (a character cut at the end is
 * dropped), control characters removed, whitespace runs collapsed, the word cut at the end of a truncated body
 * replaced by `…` (it may be the first half of a token), secrets masked, then `redactText`.
 */
export function bodyPreview(body: Uint8Array, { maxBytes, maxChars, truncated, secrets = [] }: PreviewOptions): string {
  const cut = truncated || body.length > maxBytes;
  const decoded = new TextDecoder('utf-8', { fatal: false })
    .decode(body.subarray(0, maxBytes))
    .replace(/\ufffd$/, '')
    .replace(CONTROLS, '')
    .replace(/\s+/g, ' ')
    .trimStart();
  // The secrets go through the same clean-up as the text, or a password with a double space would not match.
  const clean = secrets.map((v) => v.replace(CONTROLS, '').replace(/\s+/g, ' '));
  let text = maskSecrets(decoded, clean, cut);
  if (cut) text = `${text.replace(/\S+$/, '')}…`;
  text = redactText(text);
  // Masks only shorten what they replace, except for very short secrets; the wire bound is still kept.
  return text.trimEnd().slice(0, maxChars);
}
