/**
 * The words of the vendor bundle (i18n/vi.json, i18n/en.json): Vietnamese first, English beside it, because
 * the bundle is read by a province's leaders and by vendors' engineers alike. Times are local (the server's
 * offset, Vietnam by default) as dd/MM/yyyy HH:mm in tables and ISO 8601 with the offset in bundle.json.
 */
import { formatLocalTime } from '../../common/local-time.js';
import { translate, type Language } from '../reports/report-format.js';
import vi from './i18n/vi.json' with { type: 'json' };
import en from './i18n/en.json' with { type: 'json' };

/** The bundle's languages: the reports' (Vietnamese first). */
export type BundleLang = Language;
/** A text of the bundle's catalogue (i18n/vi.json, the reference). */
export type BundleKey = keyof typeof vi;
const CATALOGUES: Record<BundleLang, Record<string, string>> = { vi, en };

/** A bundle text in `lang`, placeholders filled (the reports' translate, over the bundle's catalogues). */
export function bt(lang: BundleLang, key: BundleKey, vars: Record<string, string | number> = {}): string {
  return translate(CATALOGUES, lang, key, vars);
}

/** "Vietnamese / English", for headings and table heads that must serve both readers. */
export function both(key: BundleKey, vars: Record<string, string | number> = {}): string {
  return `${bt('vi', key, vars)} / ${bt('en', key, vars)}`;
}

/** A catalogue key built from data (a service class, a cause), or the raw value when there is none. */
export function label(lang: BundleLang, prefix: 'service' | 'cause' | 'severity' | 'verdict', value: string): string {
  return CATALOGUES[lang][`${prefix}.${value}`] ?? value;
}

/** "Phần mềm hộ tịch / Civil-status software (civil-status)". */
export function serviceLabel(service: string): string {
  const v = label('vi', 'service', service);
  return v === service ? service : `${v} / ${label('en', 'service', service)} (${service})`;
}

/** dd/MM/yyyy HH:mm local; '' for none. */
export function localTime(ms: number | null, offsetMin: number): string {
  return ms === null ? '' : formatLocalTime(ms, offsetMin);
}

/** ISO 8601 with the local offset, e.g. 2026-11-03T08:30:00+07:00; null for none. */
export function isoLocal(ms: number | null, offsetMin: number): string | null {
  if (ms === null) return null;
  const d = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${d}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Whole minutes, rounded. */
export const minutes = (ms: number): number => Math.round(ms / 60_000);
