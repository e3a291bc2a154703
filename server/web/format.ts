/**
 * Numbers, times and durations as the reader writes them: dd/MM/yyyy HH:mm in Vietnam time for both
 * languages (officials and vendors share one clock), decimal comma in Vietnamese.
 */
import { formatLocalTime } from '../../common/local-time.js';
import type { Lang } from './i18n.js';

export interface Formatter {
  dateTime(ms: number | null | undefined): string;
  date(ms: number | null | undefined): string;
  number(n: number | null | undefined, digits?: number): string;
  /** 0.9953 → "99,53 %" (vi) / "99.53%" (en); null → "—". */
  percent(ratio: number | null | undefined, digits?: number): string;
  /** 5_400_000 → "1 giờ 30 phút" / "1 h 30 min". */
  duration(ms: number | null | undefined): string;
  bytes(n: number | null | undefined): string;
}

export function formatter(lang: Lang, offsetMin: number): Formatter {
  const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
  const numberFormats = new Map<number, Intl.NumberFormat>();
  const num = (digits: number) => {
    let f = numberFormats.get(digits);
    if (!f)
      numberFormats.set(
        digits,
        (f = new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: digits })),
      );
    return f;
  };
  const units = lang === 'vi' ? { d: 'ngày', h: 'giờ', m: 'phút', s: 'giây' } : { d: 'd', h: 'h', m: 'min', s: 's' };
  return {
    dateTime: (ms) => (ms == null ? '—' : formatLocalTime(ms, offsetMin)),
    date: (ms) => (ms == null ? '—' : formatLocalTime(ms, offsetMin).slice(0, 10)),
    number: (n, digits = 0) => (n == null || !Number.isFinite(n) ? '—' : num(digits).format(n)),
    percent: (ratio, digits = 2) => {
      if (ratio == null || !Number.isFinite(ratio)) return '—';
      // Never round a ratio below 1 up to "100 %": 99.996 % is not full uptime.
      const scale = 10 ** digits;
      const value = Math.floor(ratio * 100 * scale) / scale;
      return lang === 'vi' ? `${num(digits).format(value)} %` : `${num(digits).format(value)}%`;
    },
    duration: (ms) => {
      if (ms == null || !Number.isFinite(ms)) return '—';
      if (ms < 60_000) return `${Math.round(ms / 1000)} ${units.s}`;
      const totalMin = Math.round(ms / 60_000);
      const d = Math.floor(totalMin / 1440);
      const h = Math.floor((totalMin % 1440) / 60);
      const m = totalMin % 60;
      const parts = [d && `${d} ${units.d}`, h && `${h} ${units.h}`, m && !d && `${m} ${units.m}`].filter(Boolean);
      return parts.join(' ') || `0 ${units.m}`;
    },
    bytes: (n) => {
      if (n == null) return '—';
      const gib = n / 1024 ** 3;
      return gib >= 1 ? `${num(1).format(gib)} GB` : `${num(0).format(n / 1024 ** 2)} MB`;
    },
  };
}
