/**
 * Times as officials write them, read in Vietnam time unless they carry an offset:
 * "25/11/2026 08:30", "25/11/2026 08:30:15", "25/11/2026", "2026-11-25T08:30", "2026-11-25 08:30",
 * "2026-11-25", or a full ISO 8601 instant with Z or ±hh:mm.
 */
const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const YMD = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

/** Epoch ms, or undefined when the text is not one of the accepted forms or not a real date. */
export function parseLocalTime(text: string, offsetMinutes = 420): number | undefined {
  const t = text.trim();
  let parts: number[] | undefined;
  const dmy = DMY.exec(t);
  if (dmy)
    parts = [
      Number(dmy[3]),
      Number(dmy[2]),
      Number(dmy[1]),
      Number(dmy[4] ?? 0),
      Number(dmy[5] ?? 0),
      Number(dmy[6] ?? 0),
    ];
  const ymd = YMD.exec(t);
  if (ymd)
    parts = [
      Number(ymd[1]),
      Number(ymd[2]),
      Number(ymd[3]),
      Number(ymd[4] ?? 0),
      Number(ymd[5] ?? 0),
      Number(ymd[6] ?? 0),
    ];
  if (!parts) {
    // Only full instants with an explicit zone; Date.parse would read other forms in the machine's zone.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t)) return undefined;
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const [y, mo, d, h, mi, s] = parts as [number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  )
    return undefined;
  return utc - offsetMinutes * 60_000;
}

/** "dd/MM/yyyy HH:mm" in the given offset (Vietnam by default). */
export function formatLocalTime(ms: number, offsetMinutes = 420): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
