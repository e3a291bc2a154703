/**
 * The privacy filter of rum.js: every Faro item passes through `sanitiseItem` (the SDK's `beforeSend`)
 * before it leaves the browser. Citizens' data must never reach the server, so what is not known to be
 * harmless is cut, masked or dropped here; the receiver applies the same rules again (defense in depth).
 *
 * - URLs (page URL, resource names, `url` values, URLs inside messages): no query string, no fragment, no
 *   `user:password@`; runs of 9+ digits in the path (citizen ID, phone and tax numbers) become `{num}`.
 * - Free text (exception values, frame function names, log messages, causes, DOM selectors): the same for the URLs it contains,
 *   e-mail addresses become `{email}`, runs of 9+ digits `{num}`, and it is cut at MAX_TEXT characters.
 * - `context` keeps only the keys listed below; meta attributes only commune and the SDK's session keys;
 *   `meta.user` only its commune attribute (no id, e-mail, name).
 * - Traces and unknown item types are dropped: rum.js does not bundle the tracing package.
 *
 * Pure functions on plain objects (no DOM, no SDK import at run time), so the Node tests run them directly.
 * The input item is never mutated: the SDK may share its meta objects between items.
 */
import type {
  EventEvent,
  ExceptionEvent,
  LogEvent,
  MeasurementEvent,
  Meta,
  TransportItem,
} from '@grafana/faro-web-sdk';

/** Longer messages are cut here; a stack trace is sent separately as frames. */
export const MAX_TEXT = 2000;

/** Where the commune code travels in each payload's meta (the receiver reads them in this order). */
export const COMMUNE_ATTRIBUTE = 'commune';

type Treatment = 'keep' | 'text' | 'url';

/** `keep` is only for values the SDK generates itself (ids, enums); anything a page may set is `text`. */
const CONTEXT_KEYS: Record<'exception' | 'log' | 'measurement', Record<string, Treatment>> = {
  exception: { cause: 'text', url: 'url', kind: 'text', status: 'text', method: 'text' },
  log: { url: 'url', kind: 'text', status: 'text', method: 'text' },
  // web-vitals context written by the SDK (trackAttributionSources stays off, so no script or resource URLs).
  measurement: {
    id: 'keep',
    rating: 'keep',
    navigation_type: 'keep',
    navigation_entry_id: 'keep',
    load_state: 'keep',
    interaction_type: 'keep',
    longest_script_subpart: 'keep',
    longest_script_invoker_type: 'keep',
    element: 'text',
    interaction_target: 'text',
    largest_shift_target: 'text',
    kind: 'text',
  },
};

/** Event attributes are not allow-listed (resource timings have ~25 keys) but every value is cleaned. */
const EVENT_ATTRIBUTES_DROPPED = new Set(['sample', 'originalPolicy', 'referrer']);
const SESSION_ATTRIBUTES = new Set([COMMUNE_ATTRIBUTE, 'isSampled', 'previousSession']);

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()[\]{}`]+/gi;
const LOOKS_LIKE_URL = /^(?:[a-z][a-z0-9+.-]*:\/\/|\/)/i;
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const LONG_NUMBER = /\b\d{9,}\b/g;

/** Drops the query string and fragment only (stack frame file names: kept otherwise intact for source maps). */
export function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/** A URL without query string, fragment or credentials, long digit runs in its path masked. */
export function cleanUrl(url: string): string {
  return stripQuery(url).replace(USERINFO, '$1').replace(LONG_NUMBER, '{num}');
}

/** Free text with the URLs in it cleaned, e-mail addresses and long digit runs masked, length capped. */
export function scrubText(text: string): string {
  const scrubbed = text.replace(URL_IN_TEXT, cleanUrl).replace(EMAIL, '{email}').replace(LONG_NUMBER, '{num}');
  return scrubbed.length > MAX_TEXT ? `${scrubbed.slice(0, MAX_TEXT)}…` : scrubbed;
}

function treat(value: string, how: Treatment): string {
  if (how === 'keep') return value;
  if (how === 'url' || LOOKS_LIKE_URL.test(value)) return cleanUrl(value);
  return scrubText(value);
}

function pickContext(
  context: Record<string, string> | undefined,
  allowed: Record<string, Treatment>,
): Record<string, string> | undefined {
  if (!context) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const key of Object.keys(context)) {
    const how = allowed[key];
    const value = context[key];
    if (how === undefined || typeof value !== 'string') continue;
    out[key] = treat(value, how);
    any = true;
  }
  return any ? out : undefined;
}

function pickAttributes(
  attributes: Record<string, string> | undefined,
  allowed: Set<string>,
): Record<string, string> | undefined {
  if (!attributes) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (!allowed.has(key) || typeof value !== 'string') continue;
    out[key] = value;
    any = true;
  }
  return any ? out : undefined;
}

/** Copies `obj` without the keys whose value is undefined (JSON drops them anyway; tests compare objects). */
function compact<T extends object>(obj: T): T {
  const out = {} as T;
  for (const key of Object.keys(obj) as Array<keyof T>) if (obj[key] !== undefined) out[key] = obj[key];
  return out;
}

function sanitiseMeta(meta: Meta): Meta {
  const out: Meta = { ...meta };
  if (meta.page)
    out.page = compact({
      ...meta.page,
      url: meta.page.url === undefined ? undefined : cleanUrl(meta.page.url),
      attributes: pickAttributes(meta.page.attributes, new Set([COMMUNE_ATTRIBUTE])),
    });
  if (meta.session)
    out.session = compact({ ...meta.session, attributes: pickAttributes(meta.session.attributes, SESSION_ATTRIBUTES) });
  if (meta.user) {
    const attributes = pickAttributes(meta.user.attributes, new Set([COMMUNE_ATTRIBUTE]));
    if (attributes) out.user = { attributes };
    else delete out.user;
  }
  return out;
}

function sanitiseException(e: ExceptionEvent): ExceptionEvent {
  const out: ExceptionEvent = compact({
    ...e,
    value: scrubText(String(e.value)),
    context: pickContext(e.context, CONTEXT_KEYS.exception),
  });
  // Chromium's stack parser can take a message containing a URL for a frame: `function` then holds message text.
  if (e.stacktrace)
    out.stacktrace = {
      frames: e.stacktrace.frames.map((f) => ({
        ...f,
        filename: stripQuery(String(f.filename)),
        function: scrubText(String(f.function)),
      })),
    };
  return out;
}

function sanitiseLog(l: LogEvent): LogEvent {
  return { ...l, message: scrubText(String(l.message)), context: pickContext(l.context, CONTEXT_KEYS.log) };
}

function sanitiseMeasurement(m: MeasurementEvent): MeasurementEvent {
  return compact({ ...m, context: pickContext(m.context, CONTEXT_KEYS.measurement) });
}

function sanitiseEvent(e: EventEvent): EventEvent {
  if (!e.attributes) return { ...e };
  const attributes: Record<string, string> = {};
  for (const key of Object.keys(e.attributes)) {
    const value = e.attributes[key];
    if (EVENT_ATTRIBUTES_DROPPED.has(key) || typeof value !== 'string') continue;
    attributes[key] = treat(value, key === 'name' || key === 'url' ? 'url' : 'text');
  }
  return { ...e, attributes };
}

/**
 * The item as it may leave the browser, or null to drop it. Never mutates its argument; throws only on
 * items that are not Faro-shaped (the caller drops those too).
 */
export function sanitiseItem(item: TransportItem): TransportItem | null {
  const meta = sanitiseMeta(item.meta);
  switch (item.type as string) {
    case 'exception':
      return { ...item, meta, payload: sanitiseException(item.payload as ExceptionEvent) };
    case 'log':
      return { ...item, meta, payload: sanitiseLog(item.payload as LogEvent) };
    case 'measurement':
      return { ...item, meta, payload: sanitiseMeasurement(item.payload as MeasurementEvent) };
    case 'event':
      return { ...item, meta, payload: sanitiseEvent(item.payload as EventEvent) };
    default:
      return null;
  }
}

/**
 * protocol/wire.ts's COMMUNE_PATTERN, repeated here: importing wire.ts would bundle typebox into rum.js.
 * tests/rum/sanitise.test.ts keeps the two equal.
 */
export const COMMUNE_CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** A commune code as the server accepts it (the 5-digit GSO code, or a short slug a province uses). */
export function isCommuneCode(code: unknown): code is string {
  return typeof code === 'string' && COMMUNE_CODE.test(code);
}

/**
 * The item with `commune` set in `meta.session.attributes` (when there is a session), `meta.page.attributes`
 * and `meta.user.attributes`; unchanged when `commune` is undefined. Never mutates its argument.
 */
export function withCommune(item: TransportItem, commune: string | undefined): TransportItem {
  if (commune === undefined) return item;
  const meta: Meta = { ...item.meta };
  if (meta.session)
    meta.session = { ...meta.session, attributes: { ...meta.session.attributes, [COMMUNE_ATTRIBUTE]: commune } };
  meta.page = { ...meta.page, attributes: { ...meta.page?.attributes, [COMMUNE_ATTRIBUTE]: commune } };
  meta.user = { ...meta.user, attributes: { ...meta.user?.attributes, [COMMUNE_ATTRIBUTE]: commune } };
  return { ...item, meta };
}
