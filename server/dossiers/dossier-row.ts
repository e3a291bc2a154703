/**
 * One imported row → a dossier, or the list of what is wrong with it (row number, column, value, reason),
 * so an import report names every bad cell at once.
 */
import { COMMUNE_PATTERN } from '../../protocol/wire.js';
import type { Units } from '../org/units.js';
import { parseDossierTime } from './dates.js';
import { normaliseHeader, type DossierField } from './fields.js';

/** How the dossier was received: online (dịch vụ công trực tuyến), at the desk, or by post. */
export type Channel = 'online' | 'direct' | 'postal';

/** One dossier (hồ sơ) as imported: times in epoch ms, the commune a unit code. */
export interface Dossier {
  code: string;
  procedureCode: string | null;
  procedureName: string | null;
  field: string | null;
  commune: string;
  channel: Channel | null;
  receivedAt: number;
  dueAt: number;
  finishedAt: number | null;
  firstHandledAt: number | null;
  status: string | null;
}

/** Why a row was refused, as the import report lists it. */
export interface RowProblem {
  /** 1-based row number in the file, the header being row 1 (as a spreadsheet shows it). */
  row: number;
  column: string;
  value: string;
  reason: string;
}

const CHANNELS: Array<[RegExp, Channel]> = [
  [/^(online|tructuyen|dvctt|dichvucongtructuyen|qua(cong)?dichvucong|internet|1)$/, 'online'],
  [/^(direct|tructiep|taiboiphanmotcua|motcua|taiquay|2)$/, 'direct'],
  [/^(postal|buuchinh|quabuuchinh|buuchinhcongich|bcci|3)$/, 'postal'],
];

/** 'Trực tuyến', 'DVCTT', '1' → online; 'Tại bộ phận một cửa', '2' → direct; 'BCCI', '3' → postal. */
export function parseChannel(value: string): Channel | undefined {
  const key = normaliseHeader(value);
  return CHANNELS.find(([re]) => re.test(key))?.[1];
}

/** What `toDossier` needs besides the cells: the row number and headers (for problems), units, offset. */
export interface RowContext {
  rowNumber: number;
  /** Header text per field, for the report. */
  headerOf: (field: DossierField) => string;
  units: Units;
  offsetMinutes: number;
}

const MAX_TEXT = 500;

/** One row's cells as a dossier, or the problems that keep it out (every one, not just the first). */
export function toDossier(
  cells: Partial<Record<DossierField, unknown>>,
  ctx: RowContext,
): { dossier?: Dossier; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const shown = (v: unknown) =>
    (v instanceof Date ? v.toISOString() : v === undefined || v === null ? '' : String(v)).slice(0, 200);
  const bad = (field: DossierField, reason: string) =>
    problems.push({ row: ctx.rowNumber, column: ctx.headerOf(field), value: shown(cells[field]), reason });
  const text = (field: DossierField): string | null => {
    const v = cells[field];
    if (v === undefined || v === null) return null;
    const s = (v instanceof Date ? v.toISOString() : String(v)).trim();
    if (s.length > MAX_TEXT) {
      bad(field, `longer than ${MAX_TEXT} characters`);
      return null;
    }
    return s === '' ? null : s;
  };
  const time = (field: DossierField, required: boolean): number | null => {
    const v = cells[field];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      if (required) bad(field, 'missing');
      return null;
    }
    const ms = parseDossierTime(v, ctx.offsetMinutes);
    if (ms === undefined) bad(field, 'not a date: use dd/MM/yyyy HH:mm, dd/MM/yyyy, ISO 8601 or an Excel date');
    return ms ?? null;
  };

  const code = text('code');
  if (code === null && !problems.some((p) => p.column === ctx.headerOf('code'))) bad('code', 'missing');
  let commune: string | null = null;
  const unit = text('commune');
  if (unit === null) bad('commune', 'missing');
  else {
    const known = ctx.units.commune(unit) ?? ctx.units.byName(unit);
    if (known) commune = known.code;
    else if (new RegExp(COMMUNE_PATTERN).test(unit)) commune = unit;
    else bad('commune', 'not a commune code, old code or name known to the units file');
  }
  let channel: Channel | null = null;
  const channelText = text('channel');
  if (channelText !== null) {
    channel = parseChannel(channelText) ?? null;
    if (channel === null)
      bad('channel', 'not a channel: online (trực tuyến), direct (trực tiếp) or postal (bưu chính)');
  }
  const receivedAt = time('receivedAt', true);
  const dueAt = time('dueAt', true);
  const finishedAt = time('finishedAt', false);
  const firstHandledAt = time('firstHandledAt', false);
  if (receivedAt !== null && dueAt !== null && dueAt < receivedAt) bad('dueAt', 'before the date received');
  if (receivedAt !== null && finishedAt !== null && finishedAt < receivedAt)
    bad('finishedAt', 'before the date received');
  if (receivedAt !== null && firstHandledAt !== null && firstHandledAt < receivedAt)
    bad('firstHandledAt', 'before the date received');
  const dossier: Dossier = {
    code: code ?? '',
    procedureCode: text('procedureCode'),
    procedureName: text('procedureName'),
    field: text('field'),
    commune: commune ?? '',
    channel,
    receivedAt: receivedAt ?? 0,
    dueAt: dueAt ?? 0,
    finishedAt,
    firstHandledAt,
    status: text('status'),
  };
  return problems.length > 0 ? { problems } : { dossier, problems };
}
