import { describe, expect, it } from 'vitest';
import { bodyPreview, maskSecrets, redactText, redactUrl } from '../../common/redact.js';

const preview = (text: string, truncated = false, secrets: string[] = []): string =>
  bodyPreview(Buffer.from(text), { maxBytes: 512, maxChars: 600, truncated, secrets });

describe('redactText', () => {
  it.each([
    [
      'JSON values after secret-looking keys, escapes honoured',
      '{"username":"canbo","password":"Mk#2024 bí","token": "abc.def", "session_id": 12345, "csrfToken":"x\\"y"}',
      '{"username":"canbo","password":"***","token": "***", "session_id": ***, "csrfToken":"***"}',
    ],
    ['a form body', 'username=canbo&password=Mk%232024&next=/ho-so', 'username=canbo&password=***&next=/ho-so'],
    [
      'hidden and password inputs, inputs named like a secret; other inputs kept',
      '<input type="hidden" name="_csrf" value="9f8e7d6c"><input name="q" value="hồ sơ"><input type="password" name="pw" value="x">',
      '<input type="hidden" name="_csrf" value="***"><input name="q" value="hồ sơ"><input type="password" name="pw" value="***">',
    ],
    [
      'a csrf meta tag; a long path is not a token',
      '<meta name="csrf-token" content="abcDEF123"> <a href="/dich-vu-cong/thu-tuc-hanh-chinh/danh-sach-thu-tuc">',
      '<meta name="csrf-token" content="***"> <a href="/dich-vu-cong/thu-tuc-hanh-chinh/danh-sach-thu-tuc">',
    ],
    ['a JavaScript object', 'var config = { apiKey: "AIzaSyD-123" };', 'var config = { apiKey: "***" };'],
    ['a bearer credential', 'send Bearer abc.def-ghi now', 'send Bearer *** now'],
    ['a JWT', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_part end', 'jwt *** end'],
    [
      'hex and base64 runs of 32 and more',
      'hex 0123456789abcdef0123456789abcdef b64 QWxhZGRpbjpvcGVuIHNlc2FtZQ9xYzEyMzQ1Njc4OTA= short 0123456789abcdef',
      'hex *** b64 *** short 0123456789abcdef',
    ],
    [
      'personal data: e-mail local parts, phone numbers, citizen ID numbers; years and codes kept',
      'Liên hệ: nguyen.van.a@hue.gov.vn, 0912 345 678, +84912345678, CCCD 001203004567, năm 2024, mã 12345',
      'Liên hệ: ***@hue.gov.vn, ***, ***, CCCD ***, năm 2024, mã 12345',
    ],
    ['plain Vietnamese text is left alone', 'Hệ thống đang bảo trì. Đăng nhập', 'Hệ thống đang bảo trì. Đăng nhập'],
  ])('%s', (_, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

describe('redactUrl', () => {
  it('keeps scheme, host, port and path; drops userinfo, query and fragment', () => {
    expect(redactUrl('https://user:pw@motcua.hue.gov.vn:8443/dang-nhap?token=abc#x')).toBe(
      'https://motcua.hue.gov.vn:8443/dang-nhap',
    );
    expect(redactUrl('http://[::1]:80/a')).toBe('http://[::1]/a');
  });

  it('masks a token-like path segment only', () => {
    expect(redactUrl('http://a.vn/reset/QWxhZGRpbjpvcGVuIHNlc2FtZQ9xYzEyMzQ1/x')).toBe('http://a.vn/reset/***/x');
    expect(redactUrl('not a url')).toBe('***');
  });
});

describe('maskSecrets', () => {
  it('masks every occurrence, case-insensitively, longest first', () => {
    expect(maskSecrets('user CanBo.Xa pw canbo.xa-pw', ['canbo.xa', 'canbo.xa-pw'])).toBe('user *** pw ***');
  });

  it('masks the beginning of a secret at the end of a cut text, only when cut', () => {
    expect(maskSecrets('Xin chào canbo.', ['canbo.xa'], true)).toBe('Xin chào ***');
    expect(maskSecrets('Xin chào canbo.', ['canbo.xa'], false)).toBe('Xin chào canbo.');
  });
});

describe('bodyPreview', () => {
  it('strips control characters, collapses whitespace and redacts', () => {
    expect(preview('<title>Bảo trì</title>\x07\r\n\t<p>Liên hệ a@b.vn</p>\u202e')).toBe(
      '<title>Bảo trì</title> <p>Liên hệ ***@b.vn</p>',
    );
  });

  it('decodes at most maxBytes, drops a cut character and the cut word', () => {
    const text = `${'ả'.repeat(255)}xyz`; // 510 bytes of ả, then ASCII
    const out = bodyPreview(Buffer.from(`${'a '.repeat(10)}${text}`), {
      maxBytes: 512,
      maxChars: 600,
      truncated: false,
    });
    expect(out.endsWith('…')).toBe(true);
    expect(out).not.toContain('\ufffd');
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(512 + 3);
  });

  it('a secret cut at the end does not show its first half, and a secret value cut mid-way is masked', () => {
    expect(preview('Xin chào Mk#2024 bí', true, ['Mk#2024 bí-mật&'])).toBe('Xin chào …');
    // The value's quote never closes: everything after it is masked, the ellipsis too.
    expect(preview('{"a":1,"password":"abc def', true)).toBe('{"a":1,"password":"***"');
  });

  it('caps the result at maxChars', () => {
    const out = bodyPreview(Buffer.from('x '.repeat(400)), { maxBytes: 512, maxChars: 100, truncated: true });
    expect(out.length).toBe(100);
  });
});
