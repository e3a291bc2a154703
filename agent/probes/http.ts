/**
 * HTTP(S) probe, blackbox_exporter style: one fresh connection per hop, every phase timed, redirects followed
 * by hand so their phases add up. Built on node:net/tls + node:http rather than fetch, which hides the phases.
 *
 * We open the socket ourselves and hand it to http.request only after the TLS check, so an untrusted server
 * never receives the request (and any Authorization header in it). rejectUnauthorized is false so that an
 * expired or self-signed certificate still reports its expiry; trust is then judged from socket.authorized.
 * `exchange` (one request, its redirects followed, every hop timed, cookies from an optional jar) is exported so
 * the `transaction` probe reuses these phases, TLS check and redirect rules instead of keeping a second copy.
 * Longer than the 250-line guide: one hop's event choreography does not split without obscuring it, and the
 * shared primitive belongs next to it.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { VERSION } from '../../common/version.js';
import type { HttpDetail, ProbeOutcome } from '../../protocol/wire.js';
import { ProbeErrorCode } from './errors.js';
import { errorCode, errorMessage, failure, roundMs, since, startDeadline } from './outcome.js';
import { defineProbe } from './probe.js';
import { DEFAULT_EXPECT, DEFAULT_MAX_BODY, HttpTarget } from './schemas.js';

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin, as browsers and Go's client do. */
const SENSITIVE_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** Sent on every probe so commune IT staff can recognise (and allow-list) our traffic in their logs. */
export const USER_AGENT = `CommuneWatch-Agent/${VERSION}`;

/** One request as `exchange` sends it; each redirect rewrites url, method, headers and body. */
export interface ExchangeRequest {
  url: URL;
  method: string;
  /** As configured; Host, User-Agent and Connection are added when absent. */
  headers: Record<string, string>;
  body: string | undefined;
  followRedirects: boolean;
  insecureSkipVerify: boolean;
  maxBodyBytes: number;
  /** Keep the body bytes read, for keyword or JSON checks. */
  keepBody: boolean;
  /** Local address to connect from (a target pinned to one network link). */
  localAddress?: string;
  /** The round budget, quoted in the timeout message; the signal is what enforces it. */
  timeoutMs: number;
  /** A per-round cookie jar, asked for a Cookie header before each hop and given each hop's Set-Cookie. */
  cookies?: CookieStore;
}

export interface CookieStore {
  header(url: URL): string | undefined;
  store(url: URL, setCookie: readonly string[]): void;
}

/**
 * What `exchange` measured: phases summed over hops, status of the last hop. With `error` (a transport failure:
 * no complete final response) there is no latency; without it, latencyMs = detail.phases.totalMs.
 */
export type Exchange =
  | { detail: HttpDetail; error: { code: ProbeErrorCode; message: string } }
  | { detail: HttpDetail; error?: undefined; latencyMs: number; body?: Buffer; bytes: number };

/** One request/response on a fresh connection; times are performance.now() readings. */
interface Hop {
  phases: Omit<HttpDetail['phases'], 'firstByteMs' | 'totalMs'>;
  firstByteAt?: number;
  endAt?: number;
  statusCode?: number;
  location?: string;
  contentLength?: number;
  body?: Buffer;
  bytes: number;
  setCookie?: string[];
  certExpiresAt?: number;
  tlsVersion?: string;
  error?: { code: ProbeErrorCode; message: string };
}

/** Earliest notAfter over the peer chain; the root's issuerCertificate points at itself. */
function earliestExpiry(socket: tls.TLSSocket): number | undefined {
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  let earliest: number | undefined;
  const seen = new Set<string>();
  while (cert?.valid_to && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const notAfter = Date.parse(cert.valid_to);
    if (Number.isFinite(notAfter) && (earliest === undefined || notAfter < earliest)) earliest = notAfter;
    cert = cert.issuerCertificate === cert ? undefined : cert.issuerCertificate;
  }
  return earliest;
}

function hop(req: ExchangeRequest, signal: AbortSignal): Promise<Hop> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const { url } = req;
    const result: Hop = { phases: {}, bytes: 0 };
    const secure = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port) || (secure ? 443 : 80);
    const maxBody = req.maxBodyBytes;
    let lookupAt: number | undefined,
      connectAt: number | undefined,
      secureAt: number | undefined,
      sentAt: number | undefined;
    let stage = 'connecting';
    let request: ClientRequest | undefined;
    const chunks: Buffer[] = [];

    const socket: net.Socket = secure
      ? // tls.connect hands its options to the underlying net connect, localAddress included (not in its types).
        tls.connect({
          host,
          port,
          localAddress: req.localAddress,
          servername: net.isIP(host) ? undefined : host,
          rejectUnauthorized: false,
          ALPNProtocols: ['http/1.1'],
        } as tls.ConnectionOptions)
      : net.connect({ host, port, localAddress: req.localAddress });

    let done = false;
    const finish = (error?: Hop['error']): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      request?.destroy();
      socket.destroy();
      const ph = result.phases;
      if (lookupAt !== undefined) ph.resolveMs = roundMs(lookupAt - t0);
      if (connectAt !== undefined) ph.connectMs = roundMs(connectAt - (lookupAt ?? t0));
      if (secureAt !== undefined && connectAt !== undefined) ph.tlsMs = roundMs(secureAt - connectAt);
      if (result.firstByteAt !== undefined && sentAt !== undefined)
        ph.processingMs = roundMs(result.firstByteAt - sentAt);
      if (result.endAt !== undefined && result.firstByteAt !== undefined)
        ph.transferMs = roundMs(result.endAt - result.firstByteAt);
      if (req.keepBody) result.body = Buffer.concat(chunks);
      if (error !== undefined) result.error = error;
      resolve(result);
    };
    const onAbort = (): void =>
      // Still resolving when the budget ran out: the name lookup is what hangs (a dead resolver), not the server.
      lookupAt === undefined && net.isIP(host) === 0
        ? finish({ code: ProbeErrorCode.DNS, message: `no DNS answer for ${host} within ${req.timeoutMs} ms` })
        : finish({
            code: ProbeErrorCode.TIMEOUT,
            message: `no response from ${url.origin} within ${req.timeoutMs} ms (${stage})`,
          });
    const onError = (err: unknown): void =>
      finish({ code: errorCode(err, ProbeErrorCode.HTTP_PROTOCOL), message: errorMessage(err) });

    const send = (): void => {
      stage = 'waiting for the response';
      sentAt = performance.now();
      try {
        request = httpRequest({
          createConnection: () => socket,
          method: req.method,
          path: url.pathname + url.search,
          headers: req.headers,
          setHost: false,
        });
      } catch (err) {
        return onError(err); // e.g. a header Node refuses; the schema should have caught it already
      }
      // Until the request is flushed the server cannot start thinking; a large POST body moves sentAt later.
      request.once('finish', () => (sentAt = performance.now()));
      request.on('error', onError);
      request.once('response', (res) => {
        result.firstByteAt = performance.now();
        result.statusCode = res.statusCode;
        result.location = res.headers.location;
        result.setCookie = res.headers['set-cookie'];
        const declared = Number(res.headers['content-length']);
        if (Number.isSafeInteger(declared) && declared >= 0) result.contentLength = declared;
        const redirect = REDIRECTS.has(res.statusCode ?? 0) && result.location !== undefined && req.followRedirects;
        if (redirect || maxBody === 0 || req.method === 'HEAD') {
          result.endAt = result.firstByteAt;
          return finish();
        }
        stage = 'reading the body';
        res.on('data', (chunk: Buffer) => {
          const room = maxBody - result.bytes;
          const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
          result.bytes += kept.length;
          if (req.keepBody) chunks.push(kept);
          if (result.bytes >= maxBody) {
            result.endAt = performance.now();
            finish(); // enough read: stop instead of downloading the rest
          }
        });
        res.once('end', () => {
          result.endAt = performance.now();
          result.contentLength ??= result.bytes;
          finish();
        });
        res.on('error', onError);
        res.once('close', () => {
          if (!res.complete)
            finish({ code: ProbeErrorCode.RESET, message: `connection closed after ${result.bytes} body bytes` });
        });
      });
      request.end(req.body);
    };

    socket.once('lookup', () => (lookupAt = performance.now()));
    socket.once('connect', () => {
      connectAt = performance.now();
      stage = secure ? 'TLS handshake' : stage;
      if (!secure) send();
    });
    socket.once('secureConnect', () => {
      secureAt = performance.now();
      const tlsSocket = socket as tls.TLSSocket;
      result.certExpiresAt = earliestExpiry(tlsSocket);
      const version = tlsSocket.getProtocol();
      if (version !== null) result.tlsVersion = version;
      if (!tlsSocket.authorized && !req.insecureSkipVerify) {
        const why = String(tlsSocket.authorizationError ?? 'unknown reason');
        return finish({ code: ProbeErrorCode.TLS, message: `certificate of ${url.host} not trusted: ${why}` });
      }
      send();
    });
    // `on`, not `once`: a second 'error' after a destroy must not become an uncaught exception.
    socket.on('error', onError);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

type ExpectStatus = NonNullable<HttpTarget['expectStatus']>;

const describeExpect = (expect: ExpectStatus): string =>
  expect.map((e) => (typeof e === 'number' ? String(e) : `${e.min}-${e.max}`)).join(', ');

/** `status 503, expected 200-399` when `status` is not accepted; undefined when it is. */
export function statusMismatch(status: number, expect: ExpectStatus = DEFAULT_EXPECT): string | undefined {
  if (expect.some((e) => (typeof e === 'number' ? e === status : status >= e.min && status <= e.max))) return undefined;
  return `status ${status}, expected ${describeExpect(expect)}`;
}

/** Why `keyword` is missing from the body read, or undefined when present (or not asked for). */
export function keywordMissing(
  body: Buffer | undefined,
  bytes: number,
  keyword: string | undefined,
): string | undefined {
  if (keyword === undefined || (body ?? Buffer.alloc(0)).includes(keyword)) return undefined;
  return `keyword "${keyword}" not found in the first ${bytes} bytes of the body`;
}

/** The request for the next hop: 303 (and 301/302 after POST) turn into GET, credentials stay on their origin. */
function redirected(prev: ExchangeRequest, status: number, next: URL): ExchangeRequest {
  const toGet = status === 303 ? prev.method !== 'HEAD' : (status === 301 || status === 302) && prev.method === 'POST';
  const headers = { ...prev.headers };
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (
      lower === 'host' ||
      (toGet && lower === 'content-type') ||
      (next.origin !== prev.url.origin && SENSITIVE_HEADERS.includes(lower))
    ) {
      delete headers[name];
    }
  }
  headers.Host = next.host;
  return { ...prev, url: next, headers, method: toGet ? 'GET' : prev.method, body: toGet ? undefined : prev.body };
}

/** The hop's request with the jar's cookies for its URL; a configured Cookie header keeps its place first. */
function withCookies(req: ExchangeRequest): ExchangeRequest {
  const jar = req.cookies?.header(req.url);
  if (jar === undefined) return req;
  const headers = { ...req.headers };
  const name = Object.keys(headers).find((k) => k.toLowerCase() === 'cookie');
  if (name === undefined) headers.Cookie = jar;
  else headers[name] = `${headers[name]}; ${jar}`;
  return { ...req, headers };
}

/**
 * One HTTP request with its redirects followed by hand (at most 10), each hop on a fresh connection and timed.
 * Never throws; `signal` bounds the whole exchange. `start` (a performance.now() reading) anchors firstByteMs
 * and totalMs, so a caller that did work before the request can include it.
 */
export async function exchange(
  first: ExchangeRequest,
  signal: AbortSignal,
  start = performance.now(),
): Promise<Exchange> {
  const lower = new Set(Object.keys(first.headers).map((h) => h.toLowerCase()));
  const headers: Record<string, string> = { ...first.headers };
  if (!lower.has('host')) headers.Host = first.url.host;
  if (!lower.has('user-agent')) headers['User-Agent'] = USER_AGENT;
  if (!lower.has('connection')) headers.Connection = 'close';
  let req: ExchangeRequest = { ...first, headers };
  const phases: HttpDetail['phases'] = {};
  const detail: HttpDetail = { phases, redirects: 0 };
  for (;;) {
    const h = await hop(withCookies(req), signal);
    for (const [k, v] of Object.entries(h.phases) as [keyof Hop['phases'], number][])
      phases[k] = roundMs((phases[k] ?? 0) + v);
    if (h.certExpiresAt !== undefined)
      detail.certExpiresAt = Math.min(h.certExpiresAt, detail.certExpiresAt ?? Infinity);
    if (h.tlsVersion !== undefined) detail.tlsVersion = h.tlsVersion;
    // Status, length and first byte describe the last hop only: a timeout after a 302 must not report the 302.
    delete detail.statusCode;
    delete detail.contentLength;
    delete phases.firstByteMs;
    if (h.statusCode !== undefined) detail.statusCode = h.statusCode;
    if (h.firstByteAt !== undefined) phases.firstByteMs = roundMs(h.firstByteAt - start);
    // Before any redirect is followed: a login answers 302 + Set-Cookie, and the next hop must carry it.
    if (h.setCookie !== undefined) req.cookies?.store(req.url, h.setCookie);
    if (h.error) return { detail, error: h.error };
    if (h.contentLength !== undefined) detail.contentLength = h.contentLength;

    const status = h.statusCode ?? 0;
    if (REDIRECTS.has(status) && h.location !== undefined && req.followRedirects) {
      let next: URL | undefined;
      try {
        next = new URL(h.location, req.url);
      } catch {
        // reported below
      }
      if (next === undefined || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
        return {
          detail,
          error: {
            code: ProbeErrorCode.HTTP_PROTOCOL,
            message: `status ${status} redirects to unusable location "${h.location}"`,
          },
        };
      }
      if (detail.redirects === MAX_REDIRECTS) {
        return {
          detail,
          error: {
            code: ProbeErrorCode.HTTP_PROTOCOL,
            message: `more than ${MAX_REDIRECTS} redirects (next: ${next.href})`,
          },
        };
      }
      detail.redirects = (detail.redirects ?? 0) + 1;
      req = redirected(req, status, next);
      continue;
    }
    const totalMs = roundMs((h.endAt ?? performance.now()) - start);
    phases.totalMs = totalMs;
    return { detail, latencyMs: totalMs, body: h.body, bytes: h.bytes };
  }
}

/**
 * `http` probe. ok when the final response's status is in `expectStatus` (default 200–399) and, if `keyword`
 * is set, the first `maxBodyBytes` of the body contain it. `latencyMs` = `http.phases.totalMs`; phases are summed
 * over redirect hops. Failures: CW_ERR_PROBE_HTTP_STATUS, _HTTP_KEYWORD, _TLS, _HTTP_PROTOCOL, connect errors.
 */
export const http = defineProbe({
  kind: 'http',
  targetSchema: HttpTarget,
  async run(target, ctx): Promise<ProbeOutcome> {
    const start = performance.now();
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      return failure(start, ProbeErrorCode.HTTP_PROTOCOL, `invalid URL ${target.url}`);
    }
    const deadline = startDeadline(ctx);
    try {
      const ex = await exchange(
        {
          url,
          method: target.method ?? 'GET',
          headers: target.headers ?? {},
          body: target.body,
          followRedirects: target.followRedirects !== false,
          insecureSkipVerify: target.insecureSkipVerify === true,
          maxBodyBytes: target.maxBodyBytes ?? DEFAULT_MAX_BODY,
          keepBody: target.keyword !== undefined,
          timeoutMs: ctx.timeoutMs,
          localAddress: ctx.sourceAddress,
        },
        deadline.signal,
        start,
      );
      if (ex.error) return failure(start, ex.error.code, ex.error.message, { http: ex.detail });
      const measured = { latencyMs: ex.latencyMs, http: ex.detail };
      const badStatus = statusMismatch(ex.detail.statusCode ?? 0, target.expectStatus);
      if (badStatus !== undefined) return failure(start, ProbeErrorCode.HTTP_STATUS, badStatus, measured);
      const noKeyword = keywordMissing(ex.body, ex.bytes, target.keyword);
      if (noKeyword !== undefined) return failure(start, ProbeErrorCode.HTTP_KEYWORD, noKeyword, measured);
      return { ok: true, durationMs: since(start), ...measured };
    } finally {
      deadline.dispose();
    }
  },
});
