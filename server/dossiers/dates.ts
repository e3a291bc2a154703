/**
 * Dates as provincial exports write them, read in Vietnam time unless they carry an offset:
 * `dd/MM/yyyy HH:mm[:ss]`, `dd/MM/yyyy`, ISO 8601 (with or without offset), the DVCQG sync's
 * `yyyyMMddHHmmss`, and Excel serial dates (a number of days since 1899-12-30, as XLSX cells hold them).
 */
import { parseLocalTime } from '../../common/local-time.js';

const DAY = 86_400_000;
/** Excel's day 0 (1899-12-30, the Lotus 1-2-3 leap-year bug included). */
const EXCEL_EPOCH_UTC = Date.UTC(1899, 11, 30);

/** Epoch ms, or undefined for text that is none of the accepted forms (or not a real date). */
export function parseDossierTime(value: unknown, offsetMinutes = 420): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number') return excelSerial(value, offsetMinutes);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  const compact = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (compact)
    return parseLocalTime(
      `${compact[1]}-${compact[2]}-${compact[3]}T${compact[4]}:${compact[5]}:${compact[6]}`,
      offsetMinutes,
    );
  if (/^\d+(\.\d+)?$/.test(text)) return excelSerial(Number(text), offsetMinutes);
  return parseLocalTime(text, offsetMinutes);
}

/** Excel serial date (local wall time) → epoch ms; plausible range only (1990–2100). */
function excelSerial(serial: number, offsetMinutes: number): number | undefined {
  if (!Number.isFinite(serial) || serial < 32_874 || serial > 73_415) return undefined;
  // Rounded to the second: Excel stores times as binary fractions of a day.
  const wallMs = Math.round((EXCEL_EPOCH_UTC + serial * DAY) / 1000) * 1000;
  return wallMs - offsetMinutes * 60_000;
}
