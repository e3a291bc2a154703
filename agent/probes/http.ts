/**
 * HTTP(S) probe, blackbox_exporter style: one fresh connection per hop, every phase timed, redirects followed
 * by hand so their phases add up. Built on node:net/tls + node:http rather than fetch, which hides the phases.
 *
 * We open the socket ourselves and hand it to http.request only after the TLS check, so an untrusted server
 * never receives the request (and any Authorization header in it). rejectUnauthorized is false so that an
 * expired or self-signed certificate still reports its expiry; trust is then judged from socket.authorized.
 * Longer than the 250-line guide because one hop's event choreography does not split without obscuring it.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import Type, { type Static } from 'typebox';
import { VERSION } from '../../common/version.js';
import type { HttpDetail, ProbeOutcome } from '../../protocol/wire.js';
import { ProbeErrorCode } from './errors.js';
import { errorCode, errorMessage, failure, roundMs, since, startDeadline } from './outcome.js';
import { defineProbe } from './probe.js';

const DEFAULT_EXPECT = [{ min: 200, max: 399 }];
const DEFAULT_MAX_BODY = 1024 * 1024;

const StatusRange = Type.Object(
  {
    min: Type.Integer({ minimum: 100, maximum: 599, description: 'lowest accepted status' }),
    max: Type.Integer({ minimum: 100, maximum: 599, description: 'highest accepted status' }),
  },
  { additionalProperties: false },
);

/** Kind-specific fields of an `http` target. */
export const HttpTarget = Type.Object(
  {
    url: Type.String({ maxLength: 2048, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+\\S*$', description: 'http:// or https:// URL' }),
    method: Type.Optional(Type.Enum(['GET', 'HEAD', 'POST'], { default: 'GET', description: 'request method; default GET' })),
    headers: Type.Optional(
      Type.Record(
        Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$" }),
        // Node throws on other characters (CR/LF injection); reject them at config time instead.
        Type.String({ maxLength: 8192, pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$' }),
        { additionalProperties: false, maxProperties: 32, description: 'extra request headers' },
      ),
    ),
    body: Type.Optional(Type.String({ maxLength: 1_048_576, description: 'request body (POST)' })),
    expectStatus: Type.Optional(
      Type.Array(Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), StatusRange]), {
        minItems: 1,
        maxItems: 32,
        default: DEFAULT_EXPECT,
        description: 'accepted statuses: integers and {min,max} ranges; default 200-399',
      }),
    ),
    keyword: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'text the body must contain' })),
    maxBodyBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 16 * 1024 * 1024, default: DEFAULT_MAX_BODY, description: 'body bytes read at most; default 1 MiB' })),
    followRedirects: Type.Optional(Type.Boolean({ default: true, description: 'follow up to 10 redirects; default true' })),
    insecureSkipVerify: Type.Optional(Type.Boolean({ default: false, description: 'accept untrusted certificates; default false' })),
  },
  { additionalProperties: false },
);
type HttpTarget = Static<typeof HttpTarget>;

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin, as browsers and Go's client do. */
const SENSITIVE_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** Sent on every probe so commune IT staff can recognise (and allow-list) our traffic in their logs. */
export const USER_AGENT = `CommuneWatch-Agent/${VERSION}`;

interface HopRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  target: HttpTarget;
  timeoutMs: number;
}

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

function hop(req: HopRequest, signal: AbortSignal): Promise<Hop> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const { url, target } = req;
    const result: Hop = { phases: {}, bytes: 0 };
    const secure = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port) || (secure ? 443 : 80);
    const maxBody = target.maxBodyBytes ?? DEFAULT_MAX_BODY;
    let lookupAt: number | undefined, connectAt: number | undefined, secureAt: number | undefined, sentAt: number | undefined;
    let stage = 'connecting';
    let request: ClientRequest | undefined;
    const chunks: Buffer[] = [];

    const socket: net.Socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host, port });

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
      if (result.firstByteAt !== undefined && sentAt !== undefined) ph.processingMs = roundMs(result.firstByteAt - sentAt);
      if (result.endAt !== undefined && result.firstByteAt !== undefined) ph.transferMs = roundMs(result.endAt - result.firstByteAt);
      if (target.keyword !== undefined) result.body = Buffer.concat(chunks);
      if (error !== undefined) result.error = error;
      resolve(result);
    };
    const onAbort = (): void =>
      finish({ code: ProbeErrorCode.TIMEOUT, message: `no response from ${url.origin} within ${req.timeoutMs} ms (${stage})` });
    const onError = (err: unknown): void => finish({ code: errorCode(err, ProbeErrorCode.HTTP_PROTOCOL), message: errorMessage(err) });

    const send = (): void => {
      stage = 'waiting for the response';
      sentAt = performance.now();
      try {
        request = httpRequest({ createConnection: () => socket, method: req.method, path: url.pathname + url.search, headers: req.headers, setHost: false });
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
        const declared = Number(res.headers['content-length']);
        if (Number.isSafeInteger(declared) && declared >= 0) result.contentLength = declared;
        const redirect = REDIRECTS.has(res.statusCode ?? 0) && result.location !== undefined && target.followRedirects !== false;
        if (redirect || maxBody === 0 || req.method === 'HEAD') {
          result.endAt = result.firstByteAt;
          return finish();
        }
        stage = 'reading the body';
        res.on('data', (chunk: Buffer) => {
          const room = maxBody - result.bytes;
          const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
          result.bytes += kept.length;
          if (target.keyword !== undefined) chunks.push(kept);
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
          if (!res.complete) finish({ code: ProbeErrorCode.RESET, message: `connection closed after ${result.bytes} body bytes` });
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
      if (!tlsSocket.authorized && target.insecureSkipVerify !== true) {
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

const describeExpect = (expect: NonNullable<HttpTarget['expectStatus']>): string =>
  expect.map((e) => (typeof e === 'number' ? String(e) : `${e.min}-${e.max}`)).join(', ');

/** The request for the next hop: 303 (and 301/302 after POST) turn into GET, credentials stay on their origin. */
function redirected(prev: HopRequest, status: number, next: URL): HopRequest {
  const toGet = status === 303 ? prev.method !== 'HEAD' : (status === 301 || status === 302) && prev.method === 'POST';
  const headers = { ...prev.headers };
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'host' || (toGet && lower === 'content-type') || (next.origin !== prev.url.origin && SENSITIVE_HEADERS.includes(lower))) {
      delete headers[name];
    }
  }
  headers.Host = next.host;
  return { ...prev, url: next, headers, method: toGet ? 'GET' : prev.method, body: toGet ? undefined : prev.body };
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
    const lower = new Set(Object.keys(target.headers ?? {}).map((h) => h.toLowerCase()));
    const headers: Record<string, string> = { ...target.headers };
    if (!lower.has('host')) headers.Host = url.host;
    if (!lower.has('user-agent')) headers['User-Agent'] = USER_AGENT;
    if (!lower.has('connection')) headers.Connection = 'close';
    let req: HopRequest = { url, method: target.method ?? 'GET', headers, body: target.body, target, timeoutMs: ctx.timeoutMs };

    const deadline = startDeadline(ctx);
    const phases: HttpDetail['phases'] = {};
    const detail: HttpDetail = { phases, redirects: 0 };
    try {
      for (;;) {
        const h = await hop(req, deadline.signal);
        for (const [k, v] of Object.entries(h.phases) as [keyof Hop['phases'], number][]) phases[k] = roundMs((phases[k] ?? 0) + v);
        if (h.certExpiresAt !== undefined) detail.certExpiresAt = Math.min(h.certExpiresAt, detail.certExpiresAt ?? Infinity);
        if (h.tlsVersion !== undefined) detail.tlsVersion = h.tlsVersion;
        // Status, length and first byte describe the last hop only: a timeout after a 302 must not report the 302.
        delete detail.statusCode;
        delete detail.contentLength;
        delete phases.firstByteMs;
        if (h.statusCode !== undefined) detail.statusCode = h.statusCode;
        if (h.firstByteAt !== undefined) phases.firstByteMs = roundMs(h.firstByteAt - start);
        if (h.error) return failure(start, h.error.code, h.error.message, { http: detail });
        if (h.contentLength !== undefined) detail.contentLength = h.contentLength;

        const status = h.statusCode ?? 0;
        if (REDIRECTS.has(status) && h.location !== undefined && target.followRedirects !== false) {
          let next: URL | undefined;
          try {
            next = new URL(h.location, req.url);
          } catch {
            // reported below
          }
          if (next === undefined || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
            return failure(start, ProbeErrorCode.HTTP_PROTOCOL, `status ${status} redirects to unusable location "${h.location}"`, { http: detail });
          }
          if (detail.redirects === MAX_REDIRECTS) {
            return failure(start, ProbeErrorCode.HTTP_PROTOCOL, `more than ${MAX_REDIRECTS} redirects (next: ${next.href})`, { http: detail });
          }
          detail.redirects = (detail.redirects ?? 0) + 1;
          req = redirected(req, status, next);
          continue;
        }

        const totalMs = roundMs((h.endAt ?? performance.now()) - start);
        phases.totalMs = totalMs;
        const expect = target.expectStatus ?? DEFAULT_EXPECT;
        if (!expect.some((e) => (typeof e === 'number' ? e === status : status >= e.min && status <= e.max))) {
          const message = `status ${status}, expected ${describeExpect(expect)}`;
          return failure(start, ProbeErrorCode.HTTP_STATUS, message, { latencyMs: totalMs, http: detail });
        }
        if (target.keyword !== undefined && !(h.body ?? Buffer.alloc(0)).includes(target.keyword)) {
          const message = `keyword "${target.keyword}" not found in the first ${h.bytes} bytes of the body`;
          return failure(start, ProbeErrorCode.HTTP_KEYWORD, message, { latencyMs: totalMs, http: detail });
        }
        return { ok: true, durationMs: since(start), latencyMs: totalMs, http: detail };
      }
    } finally {
      deadline.dispose();
    }
  },
});
