import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fill, fillJson, loadCredentials, MissingCredential, redactor } from '../../../agent/probes/credentials.js';
import { tempDir } from '../../helpers/temp-dir.js';

const SECRET = 'Mk#2024 bí-mật&';
const dir = tempDir('cw-creds-');
afterAll(() => dir.remove());

function credentialsFile(name: string, content: string, mode: number): string {
  const file = join(dir.path, name);
  writeFileSync(file, content);
  chmodSync(file, mode); // explicit: the umask must not decide the test
  return file;
}

describe.skipIf(process.platform === 'win32')('loadCredentials from a file', () => {
  it('0600 with a JSON object of strings: loaded', async () => {
    const file = credentialsFile('ok.json', `{"username":"canbo.xa","password":${JSON.stringify(SECRET)}}\n`, 0o600);
    expect(await loadCredentials({ file })).toEqual({ ok: true, values: { username: 'canbo.xa', password: SECRET } });
  });

  it.each([0o644, 0o640, 0o604, 0o620])('mode %o: refused, naming the fix', async (mode) => {
    const file = credentialsFile(`open-${mode.toString(8)}.json`, `{"password":"${'x'}"}`, mode);
    expect(await loadCredentials({ file })).toEqual({
      ok: false,
      message: `credentials file ${file} is open to other users (mode 0${mode.toString(8)}); run: chmod 600 ${file}`,
    });
  });

  it('a missing file, a directory, an oversized file: refused with the reason', async () => {
    const missing = join(dir.path, 'nope.json');
    expect(await loadCredentials({ file: missing })).toEqual({
      ok: false,
      message: `cannot read credentials file ${missing} (ENOENT)`,
    });
    const sub = join(dir.path, 'a-dir');
    mkdirSync(sub, { mode: 0o700 });
    expect(await loadCredentials({ file: sub })).toEqual({
      ok: false,
      message: `credentials file ${sub} is not a regular file`,
    });
    const big = credentialsFile('big.json', `{"p":"${'x'.repeat(70_000)}"}`, 0o600);
    expect(await loadCredentials({ file: big })).toMatchObject({
      ok: false,
      message: expect.stringContaining('larger than 65536 bytes'),
    });
  });

  it('malformed content is described without quoting it (V8 parse errors quote the input)', async () => {
    const file = credentialsFile('bad.json', `{username: "canbo.xa", password: "${SECRET}"}`, 0o600);
    const out = await loadCredentials({ file });
    expect(out).toEqual({
      ok: false,
      message: `credentials file ${file} must hold a JSON object of strings, e.g. {"username": "…", "password": "…"}; it is not valid JSON`,
    });
    expect(JSON.stringify(out)).not.toContain(SECRET);
    const numbers = credentialsFile('num.json', '{"pin": 1234}', 0o600);
    expect(await loadCredentials({ file: numbers })).toMatchObject({
      ok: false,
      message: expect.stringContaining('"pin" is not a string'),
    });
    const list = credentialsFile('list.json', '["a"]', 0o600);
    expect(await loadCredentials({ file: list })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/must hold a JSON object of strings, e\.g\. .*\}$/),
    });
  });
});

describe('loadCredentials from the environment', () => {
  it('reads a JSON object from the named variable', async () => {
    const env = { CW_MOTCUA: JSON.stringify({ username: 'canbo.xa', password: SECRET }) };
    expect(await loadCredentials({ env: 'CW_MOTCUA' }, env)).toEqual({
      ok: true,
      values: { username: 'canbo.xa', password: SECRET },
    });
  });

  it('unset, empty or not JSON: refused without the content', async () => {
    expect(await loadCredentials({ env: 'CW_MOTCUA' }, {})).toEqual({
      ok: false,
      message: 'environment variable CW_MOTCUA is not set',
    });
    expect(await loadCredentials({ env: 'CW_MOTCUA' }, { CW_MOTCUA: ' ' })).toEqual({
      ok: false,
      message: 'environment variable CW_MOTCUA is not set',
    });
    const out = await loadCredentials({ env: 'CW_MOTCUA' }, { CW_MOTCUA: SECRET });
    expect(out.ok).toBe(false);
    expect(JSON.stringify(out)).not.toContain(SECRET);
  });
});

describe('placeholders', () => {
  const values = { username: 'canbo.xa', password: SECRET };

  it('fill replaces ${name}, encoding where asked, and leaves other text alone', () => {
    expect(fill('${username}:${password}', values)).toBe(`canbo.xa:${SECRET}`);
    expect(fill('/api?u=${username}&p=${password}', values, encodeURIComponent)).toBe(
      `/api?u=canbo.xa&p=${encodeURIComponent(SECRET)}`,
    );
    expect(fill('$username {password} $${x', values)).toBe('$username {password} $${x');
  });

  it('an unknown name throws MissingCredential naming what exists, never a value', () => {
    const err = (() => {
      try {
        fill('${pasword}', values);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MissingCredential);
    expect((err as Error).message).toBe('placeholder ${pasword} has no credential (have: username, password)');
    expect(() => fill('${password}', {})).toThrow(
      'placeholder ${password} has no credential (no credentials configured)',
    );
  });

  it('fillJson fills string values at any depth, not keys, and keeps other types', () => {
    const json = {
      user: { name: '${username}', remember: true, tries: 3 },
      list: ['${password}', null],
      '${username}': 'k',
    };
    expect(fillJson(json, values)).toEqual({
      user: { name: 'canbo.xa', remember: true, tries: 3 },
      list: [SECRET, null],
      '${username}': 'k',
    });
  });
});

describe('redactor', () => {
  it('masks raw, URL-encoded, form-encoded and JSON-escaped values, whatever the case of escapes', () => {
    const redact = redactor({ password: SECRET, quote: 'a"b\\c' });
    const seen = [
      SECRET,
      encodeURIComponent(SECRET),
      new URLSearchParams({ p: SECRET }).toString().slice(2),
      encodeURIComponent(SECRET).toLowerCase(),
    ];
    for (const form of seen) expect(redact(`before ${form} after`)).toBe('before *** after');
    expect(redact(JSON.stringify({ echo: 'a"b\\c' }))).toBe('{"echo":"***"}');
  });

  it('masks a value containing another as a whole; ignores empty values; no credentials → identity', () => {
    expect(redactor({ a: 'abc', b: 'abcdef' })('xabcdefx abc')).toBe('x***x ***');
    expect(redactor({ empty: '' })('text')).toBe('text');
    expect(redactor({})('a.b*c')).toBe('a.b*c');
    expect(redactor({ re: 'a.b*c' })('a.b*c axbbc')).toBe('*** axbbc'); // regex metacharacters are literal
  });
});
