/**
 * Secrets for probes that log in (the `transaction` probe): where they come from, how `${name}` placeholders
 * take them, and how they are kept out of every message.
 *
 * Never from the config text — configs are shared, committed and pasted into tickets. A target names a source:
 * an environment variable or a file that only its owner can read (like ssh keys and the agent token), either
 * holding a JSON object of strings such as {"username": "…", "password": "…"}. The source is read on every
 * round, so a rotated password is picked up without a restart.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { openToOthers } from '../../common/private-file.js';
import { PLACEHOLDER, type CredentialSource } from './schemas.js';

/** Credential values by name. */
export type Credentials = Readonly<Record<string, string>>;

export type LoadedCredentials = { ok: true; values: Credentials } | { ok: false; message: string };

/** A credentials file is a few lines; anything larger is the wrong file. */
const MAX_FILE_BYTES = 64 * 1024;

/**
 * Reads the credentials of `source`. Never throws and never quotes the content in a message: V8's JSON syntax
 * errors include a snippet of the input, which here is the secret.
 */
export async function loadCredentials(
  source: CredentialSource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedCredentials> {
  if (source.file === undefined) {
    const name = source.env ?? '';
    const text = env[name];
    if (text === undefined || text.trim() === '')
      return { ok: false, message: `environment variable ${name} is not set` };
    return parse(text, `environment variable ${name}`);
  }
  const { file } = source;
  let text: string;
  try {
    // O_NONBLOCK: a FIFO at that path must not hang the round. Mode is checked on the open descriptor (no race).
    const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return { ok: false, message: `credentials file ${file} is not a regular file` };
      const loose = openToOthers(stat.mode);
      if (loose !== undefined) {
        const mode = loose.toString(8).padStart(4, '0');
        return {
          ok: false,
          message: `credentials file ${file} is open to other users (mode ${mode}); run: chmod 600 ${file}`,
        };
      }
      if (stat.size > MAX_FILE_BYTES)
        return { ok: false, message: `credentials file ${file} is larger than ${MAX_FILE_BYTES} bytes` };
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, message: `cannot read credentials file ${file} (${code})` };
  }
  return parse(text, `credentials file ${file}`);
}

function parse(text: string, where: string): LoadedCredentials {
  const shape = `${where} must hold a JSON object of strings, e.g. {"username": "…", "password": "…"}`;
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { ok: false, message: `${shape}; it is not valid JSON` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, message: shape };
  for (const [name, value] of Object.entries(data)) {
    if (typeof value !== 'string') return { ok: false, message: `${shape}; "${name}" is not a string` };
  }
  return { ok: true, values: Object.freeze({ ...(data as Record<string, string>) }) };
}

/** Thrown by `fill` for a placeholder with no credential; the caller turns it into a failed outcome. */
export class MissingCredential extends Error {
  constructor(
    readonly credential: string,
    known: readonly string[],
  ) {
    // Names are not secret and say what the file lacks; values never appear.
    super(
      `placeholder \${${credential}} has no credential (${known.length > 0 ? `have: ${known.join(', ')}` : 'no credentials configured'})`,
    );
    this.name = 'MissingCredential';
  }
}

/** `text` with each `${name}` replaced by `encode(value)`; throws MissingCredential for an unknown name. */
export function fill(text: string, values: Credentials, encode: (value: string) => string = (v) => v): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    if (!Object.hasOwn(values, name)) throw new MissingCredential(name, Object.keys(values));
    return encode(values[name]!);
  });
}

/** A JSON value with placeholders filled in every string value (not in keys), at any depth. */
export function fillJson(value: unknown, values: Credentials): unknown {
  if (typeof value === 'string') return fill(value, values);
  if (Array.isArray(value)) return value.map((v) => fillJson(v, values));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillJson(v, values)]));
  }
  return value;
}

/**
 * Every form in which a credential value may come back in a text: raw, URL-encoded (a secret in a URL), form-
 * encoded, JSON-escaped (a server echoing a request) and HTML-escaped (a page echoing a form field).
 */
export function credentialForms(values: Credentials): string[] {
  const forms = new Set<string>();
  for (const v of Object.values(values)) {
    if (v === '') continue;
    forms
      .add(v)
      .add(encodeURIComponent(v))
      .add(new URLSearchParams({ v }).toString().slice(2))
      .add(JSON.stringify(v).slice(1, -1))
      .add(
        v
          .replace(/&/g, '&amp;')
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;')
          .replace(/"/g, '&quot;')
          .replace(/'/g, '&#39;'),
      );
  }
  return [...forms];
}

/**
 * A function that masks every credential value in a text as `***`, in each of its `credentialForms`, longest
 * first, so a value containing another is masked whole. Case-insensitive, because percent-escapes may come back
 * as %2f. Every value is masked, however short: a garbled message is better than a leaked password.
 */
export function redactor(values: Credentials): (text: string) => string {
  const forms = credentialForms(values);
  if (forms.length === 0) return (text) => text;
  const escaped = forms.sort((a, b) => b.length - a.length).map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(escaped.join('|'), 'gi');
  return (text) => text.replace(pattern, '***');
}
