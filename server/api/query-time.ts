/**
 * Times in read-API query strings. People paste what they have: epoch milliseconds from a script, an ISO
 * date from a spreadsheet, `31/01/2026` as officials write it. One parser for every from/to parameter, so
 * each route accepts the same forms and refuses the rest with the same 400.
 *
 * Accepted, in the server's timezone offset (config `timezoneOffsetMinutes`, +07:00 by default) unless
 * the text carries its own: epoch ms (digits only); `2026-01-31`, `2026-01-31T08:30`, `2026-01-31 08:30:15`;
 * a full ISO 8601 instant with `Z` or `±hh:mm`; `31/01/2026` and `31/01/2026 08:30`. The calendar forms
 * are read by common/local-time.ts, the parser the dossier import already uses.
 *
 * A date without a time is a whole day: as a start (`from`) its midnight, as an end (`to`, exclusive) the
 * next midnight — `from=01/01/2026&to=31/01/2026` is all of January.
 */
import Type from 'typebox';
import { parseLocalTime } from '../../common/local-time.js';
import { ErrorCode, HttpError } from '../errors.js';

const DAY = 86_400_000;
const DATE_ONLY = /^(\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4})$/;
const EPOCH_MS = /^\d{1,16}$/;

/** The forms, as error messages and the OpenAPI description name them. */
export const TIME_FORMS =
  'epoch ms (1767225600000), ISO 8601 (2026-01-01, 2026-01-01T08:30, 2026-01-01T08:30:00+07:00) ' +
  'or dd/MM/yyyy [HH:mm] (01/01/2026, 01/01/2026 08:30)';

/**
 * A time query parameter: text on the wire, read by parseQueryTime in the handler (schema type string, so
 * the OpenAPI description shows the forms rather than "integer").
 */
export const QueryTime = (description: string) =>
  Type.String({ minLength: 1, maxLength: 40, description: `${description}; ${TIME_FORMS}` });

/**
 * Epoch ms of a time parameter, or undefined when absent. `bound` says what a date-only value means:
 * 'start' its midnight, 'end' the next midnight (ends are exclusive). Throws a 400 naming the parameter.
 */
export function parseQueryTime(
  name: string,
  text: string | undefined,
  offsetMinutes: number,
  bound: 'start' | 'end',
): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (EPOCH_MS.test(t)) return Number(t);
  const ms = parseLocalTime(t, offsetMinutes);
  if (ms === undefined)
    throw new HttpError(
      400,
      ErrorCode.VALIDATION,
      `querystring/${name} "${text}" is not a time (không đọc được thời gian): send ${TIME_FORMS}`,
    );
  return bound === 'end' && DATE_ONLY.test(t) ? ms + DAY : ms;
}

/** A from/to pair of query parameters, both optional. */
export function parseQuerySpan(
  q: { from?: string; to?: string },
  offsetMinutes: number,
): { from: number | undefined; to: number | undefined } {
  return {
    from: parseQueryTime('from', q.from, offsetMinutes, 'start'),
    to: parseQueryTime('to', q.to, offsetMinutes, 'end'),
  };
}
