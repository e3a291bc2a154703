/**
 * One HTTP request as the probes make it, blackbox_exporter style: one fresh connection per hop, every phase
 * timed, redirects followed by hand so their phases add up. Built on node:net/tls + node:http rather than fetch,
 * which hides the phases. The `http` probe and each `transaction` step run through `exchange`, so both share
 * the phases, the TLS check, the redirect rules and the evidence (status line, address, the body's first bytes).
 *
 * We open the socket ourselves and hand it to http.request only after the TLS check, so an untrusted server
 * never receives the request (and any Authorization header in it). rejectUnauthorized is false so that an
 * expired or self-signed certificate still reports its expiry; trust is then judged from socket.authorized.
 * Longer than the 250-line guide: one hop's event choreography does not split without obscuring it.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { redactUrl } from '../../common/redact.js';
import { VERSION } from '../../common/version.js';
import { BODY_PREVIEW_BYTES, type HttpDetail } from '../../protocol/wire.js';
import { ProbeErrorCode } from './errors.js';
import { errorCode, errorMessage, roundMs } from './outcome.js';

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

/** The first bytes of the last hop's body, kept whatever `keepBody` says, for the result's `bodyPreview`. */
export interface BodyStart {
  bytes: Buffer;
  /** The body went on past `bytes` (or the read stopped before its end). */
  truncated: boolean;
  /** Content-Encoding other than identity: the bytes are not text. */
  encoded: boolean;
}

/** Evidence of the last hop that is not part of HttpDetail as is: body start and certificate trust. */
interface ExchangeEvidence {
  bodyStart?: BodyStart;
  /** `trusted`, or why the last TLS handshake's chain was not (OpenSSL reason); absent without a handshake. */
  tlsTrust?: string;
}

/**
 * What `exchange` measured: phases summed over hops; status, status line, URL (redacted) and address of the last
 * hop. With `error` (a transport failure: no complete final response) there is no latency; without it,
 * latencyMs = detail.phases.totalMs.
 */
export type Exchange = ExchangeEvidence &
  (
    | { detail: HttpDetail; error: { code: ProbeErrorCode; message: string } }
    | { detail: HttpDetail; error?: undefined; latencyMs: number; body?: Buffer; bytes: number }
  );

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
  tlsTrust?: string;
  /** `ip:port` connected to, or tried when the connection failed. */
  address?: string;
  statusLine?: string;
  bodyStart?: BodyStart;
  error?: { code: ProbeErrorCode; message: string };
}

/** `ip:port`, with brackets around an IPv6 address. */
const hostPort = (ip: string, port: number): string => (net.isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`);
/** Whatever a server puts in its reason phrase, the status line stays one short, printable line. */
const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').slice(0, 128);

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
    // The preview's bytes, kept apart from `chunks` so a probe without a body check still holds at most this many.
    const start: Buffer[] = [];
    let startBytes = 0;
    let ended = false;
    let encoded = false;
    if (net.isIP(host) !== 0) result.address = hostPort(host, port);

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
      if (result.statusCode !== undefined && (startBytes > 0 || ended))
        result.bodyStart = { bytes: Buffer.concat(start), truncated: !ended || result.bytes > startBytes, encoded };
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
        result.statusLine = printable(
          `HTTP/${res.httpVersion} ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trim(),
        );
        const encoding = res.headers['content-encoding'];
        encoded = encoding !== undefined && encoding.trim().toLowerCase() !== 'identity';
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
          if (startBytes < BODY_PREVIEW_BYTES) {
            const piece = kept.subarray(0, BODY_PREVIEW_BYTES - startBytes);
            start.push(piece);
            startBytes += piece.length;
          }
          if (result.bytes >= maxBody) {
            result.endAt = performance.now();
            finish(); // enough read: stop instead of downloading the rest
          }
        });
        res.once('end', () => {
          ended = true;
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

    socket.once('lookup', (_err: Error | null, address: unknown) => {
      lookupAt = performance.now();
      if (typeof address === 'string') result.address = hostPort(address, port);
    });
    socket.once('connect', () => {
      connectAt = performance.now();
      if (socket.remoteAddress !== undefined)
        result.address = hostPort(socket.remoteAddress, socket.remotePort ?? port);
      stage = secure ? 'TLS handshake' : stage;
      if (!secure) send();
    });
    socket.once('secureConnect', () => {
      secureAt = performance.now();
      const tlsSocket = socket as tls.TLSSocket;
      result.certExpiresAt = earliestExpiry(tlsSocket);
      const version = tlsSocket.getProtocol();
      if (version !== null) result.tlsVersion = version;
      result.tlsTrust = tlsSocket.authorized ? 'trusted' : String(tlsSocket.authorizationError ?? 'unknown reason');
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
  const evidence: ExchangeEvidence = {};
  for (;;) {
    const h = await hop(withCookies(req), signal);
    // The evidence describes the last hop too; its URL keeps no query string, fragment or userinfo.
    detail.url = redactUrl(req.url);
    delete detail.address;
    delete detail.statusLine;
    delete evidence.bodyStart;
    if (h.address !== undefined) detail.address = h.address;
    if (h.statusLine !== undefined) detail.statusLine = h.statusLine;
    if (h.bodyStart !== undefined) evidence.bodyStart = h.bodyStart;
    if (h.tlsTrust !== undefined) evidence.tlsTrust = h.tlsTrust;
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
    if (h.error) return { ...evidence, detail, error: h.error };
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
          ...evidence,
          detail,
          error: {
            code: ProbeErrorCode.HTTP_PROTOCOL,
            message: `status ${status} redirects to unusable location "${redactUrl(h.location)}"`,
          },
        };
      }
      if (detail.redirects === MAX_REDIRECTS) {
        return {
          ...evidence,
          detail,
          error: {
            code: ProbeErrorCode.HTTP_PROTOCOL,
            message: `more than ${MAX_REDIRECTS} redirects (next: ${redactUrl(next)})`,
          },
        };
      }
      detail.redirects = (detail.redirects ?? 0) + 1;
      req = redirected(req, status, next);
      continue;
    }
    const totalMs = roundMs((h.endAt ?? performance.now()) - start);
    phases.totalMs = totalMs;
    return { ...evidence, detail, latencyMs: totalMs, body: h.body, bytes: h.bytes };
  }
}
