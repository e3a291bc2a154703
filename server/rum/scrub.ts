/**
 * Personal data never reaches the disk: URLs lose their query string, fragment and credentials, and path
 * segments that look like ids (numbers, UUIDs, long tokens, e-mail addresses, citizen-ID numbers) become
 * `:id`; messages keep their shape with the values replaced. Citizens' dossier numbers, ID numbers and
 * names typed into forms end up in URLs and error messages more often than anyone intends.
 */

const ID_SEGMENT =
  /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9_-]{24,}|[^@/]+@[^@/]+|[A-Z]{1,4}[-.]?\d{5,}[\w.-]*)$/i;

/** `https://host/ho-so/123/xem?cccd=0010…#x` → `https://host/ho-so/:id/xem`; unparsable → ''. */
export function urlTemplate(raw: string | undefined, base?: string): string {
  if (!raw) return '';
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return '';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return url.protocol;
  const path = url.pathname
    .split('/')
    .map((seg) => (seg && ID_SEGMENT.test(decodeSafe(seg)) ? ':id' : seg))
    .join('/');
  return `${url.origin}${path}`.slice(0, 300);
}

/** The path template alone (pages are grouped by path within an app). */
export function pathTemplate(raw: string | undefined): string {
  const t = urlTemplate(raw);
  if (!t.startsWith('http')) return t;
  return new URL(t).pathname;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * An error message as a template: the same fault with different values groups together and carries no
 * personal data. `Hồ sơ 000123 của nguyenvana@gmail.com không tồn tại` → `Hồ sơ <n> của <email> không tồn tại`.
 */
export function messageTemplate(message: string): string {
  return message
    .replace(/https?:\/\/[^\s'"<>]+/g, (u) => urlTemplate(u) || '<url>')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '<email>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/"[^"]{0,200}"|'[^']{0,200}'|“[^”]{0,200}”/g, '<str>')
    .replace(/\b\d[\d.,:/-]*\b/g, '<n>')
    .replace(/\b[A-Za-z0-9_-]{24,}\b/g, '<token>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}
