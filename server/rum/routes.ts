/**
 * The Faro-compatible collector (`POST /collect`, as Grafana Alloy's faro.receiver) and `GET /rum.js`.
 * Checks in Alloy's order, all before the body is read or decoded: per-IP rate limit → app key (constant
 * time, 401) → per-key rate limit → the app's CORS allow-list (403) → size after gzip decompression (413)
 * → JSON shape (400) → Idempotency-Key dedup → 202. 429 carries Retry-After; CORS exposes it.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../store/store.js';
import type { Metrics } from '../metrics/metrics.js';
import { acceptGzipBodies } from '../ingest/gzip-body.js';
import { ErrorCode, HttpError } from '../errors.js';
import { errorResponses } from '../api/schemas/common.js';
import { CollectAccepted } from '../api/schemas/rum.js';
import { FaroPayload } from './payload.js';
import type { RumApp } from '../store/rum-store.js';
import type { RumConfig } from './rum-config.js';
import { RateWindow } from './rate-window.js';
import { CommuneResolver } from './commune-resolver.js';
import { ingestRumBatch } from './rum-ingest.js';

const ALLOWED_HEADERS = 'content-type, content-encoding, x-api-key, x-faro-session-id, idempotency-key, traceparent';
const EXPOSED_HEADERS = 'Retry-After, X-Faro-Session-Status';

declare module 'fastify' {
  interface FastifyRequest {
    rumApp?: RumApp;
  }
}

export interface RumRouteOptions {
  store: Store;
  metrics: Metrics;
  config: RumConfig;
  now: () => number;
  offsetMin: number;
  canonical: (code: string) => string;
}

/** The bundled script: dist/rum/rum.js next to the compiled server, or under dist/ when running from source. */
function findScript(): string | undefined {
  for (const rel of ['../../rum/rum.js', '../../dist/rum/rum.js']) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** An app's allow-list; "self" is the server's own pages (same host as the request). */
function allowsOrigin(rumApp: RumApp, origin: string, host: string | undefined): boolean {
  if (rumApp.origins.includes(origin)) return true;
  if (!rumApp.origins.includes('self')) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export async function rumRoutes(app: FastifyInstance, opts: RumRouteOptions): Promise<void> {
  const { store, metrics, config } = opts;
  const perIp = new RateWindow(config.perIpPerMinute);
  const perKey = new RateWindow(config.perKeyPerMinute);
  const resolver = new CommuneResolver(config.communeNetworks, opts.canonical);
  // Origins any app allows, for preflights (which carry no key) and for CORS headers on refusals.
  let known = { at: 0, origins: new Set<string>() };
  const knownOrigins = () => {
    if (opts.now() - known.at > 10_000)
      known = {
        at: opts.now(),
        origins: new Set(
          store.rum
            .apps()
            .filter((a) => a.revokedAt === null)
            .flatMap((a) => a.origins),
        ),
      };
    return known.origins;
  };
  const cors = (request: FastifyRequest, reply: FastifyReply, allowed: boolean) => {
    const origin = request.headers.origin;
    void reply.header('vary', 'Origin');
    if (origin && allowed)
      void reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', EXPOSED_HEADERS);
  };
  const reject = (reason: string) => metrics.rumRequests.inc({ outcome: reason });

  acceptGzipBodies(app);

  // Preflights, the script and its notices are for browsers: not part of the described API.
  app.options('/collect', { schema: { hide: true } }, async (request, reply) => {
    const ok = !!request.headers.origin && knownOrigins().has(request.headers.origin);
    cors(request, reply, ok);
    if (!ok) {
      reject('cors');
      return reply.code(403).send();
    }
    return reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', '600')
      .send();
  });

  app.post(
    '/collect',
    {
      bodyLimit: config.bodyLimitBytes,
      schema: {
        summary: 'Receive a Grafana Faro batch from a browser (x-api-key: the RUM app key)',
        body: FaroPayload,
        response: { 202: CollectAccepted, ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
      onRequest: async (request, reply) => {
        const now = opts.now();
        cors(request, reply, !!request.headers.origin && knownOrigins().has(request.headers.origin));
        const ipWait = perIp.hit(request.ip, now);
        if (ipWait !== undefined) {
          reject('rate-limited');
          void reply.header('retry-after', String(ipWait));
          throw new HttpError(429, ErrorCode.RATE_LIMITED, `too many requests from this address; retry in ${ipWait} s`);
        }
        const key = request.headers['x-api-key'];
        const rumApp = typeof key === 'string' ? store.rum.verifyKey(key) : undefined;
        if (!rumApp) {
          reject('bad-key');
          throw new HttpError(401, ErrorCode.AUTH_INVALID, 'API key not provided or incorrect');
        }
        const keyWait = perKey.hit(String(rumApp.id), now);
        if (keyWait !== undefined) {
          reject('rate-limited');
          void reply.header('retry-after', String(keyWait));
          throw new HttpError(
            429,
            ErrorCode.RATE_LIMITED,
            `too many requests for app "${rumApp.name}"; retry in ${keyWait} s`,
          );
        }
        const origin = request.headers.origin;
        if (origin && !allowsOrigin(rumApp, origin, request.headers.host)) {
          reject('cors');
          throw new HttpError(
            403,
            ErrorCode.AUTH_FORBIDDEN,
            `origin ${origin} is not allowed for app "${rumApp.name}"`,
          );
        }
        request.rumApp = rumApp;
      },
    },
    async (request, reply) => {
      const rumApp = request.rumApp!;
      const now = opts.now();
      const idem = request.headers['idempotency-key'];
      if (
        typeof idem === 'string' &&
        idem.length > 0 &&
        idem.length <= 100 &&
        !store.rum.claimBatch(rumApp.id, idem, now)
      ) {
        metrics.rumRequests.inc({ outcome: 'duplicate' });
        return reply.code(202).send('ok');
      }
      if (rumApp.sampleRate < 1 && Math.random() >= rumApp.sampleRate) {
        metrics.rumRequests.inc({ outcome: 'sampled-out' });
        return reply.code(202).send('ok');
      }
      const payload = request.body as FaroPayload;
      const commune = resolver.resolve(payload.meta, request.ip);
      const counts = ingestRumBatch(store, { app: rumApp, payload, commune, now, offsetMin: opts.offsetMin });
      metrics.rumRequests.inc({ outcome: 'accepted' });
      if (counts.exceptions > 0)
        metrics.rumErrors.inc({ app: rumApp.name, commune: commune || 'unknown' }, counts.exceptions);
      for (const v of counts.vitals) {
        if (v.metric === 'cls') metrics.rumCls.observe({ app: rumApp.name }, v.value);
        else metrics.rumVitals.observe({ app: rumApp.name, metric: v.metric }, v.value / 1000);
      }
      return reply.code(202).send('ok');
    },
  );

  // Validation and size errors of /collect are counted as bad payloads (the error handler answers them).
  app.addHook('onError', async (request, _reply, err) => {
    if (request.url.startsWith('/collect') && request.rumApp)
      reject((err as { statusCode?: number }).statusCode === 413 ? 'too-large' : 'bad-payload');
  });

  // The bundle's banner points here: the Apache-2.0 and MIT notices of the SDK and its dependencies.
  app.get('/rum.js.LICENSES.txt', { schema: { hide: true } }, async (_request, reply) => {
    const file = findScript();
    const licences = file && `${file}.LICENSES.txt`;
    if (!licences || !existsSync(licences))
      throw new HttpError(404, ErrorCode.NOT_FOUND, 'rum.js is not built: run `npm run build`');
    return reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(readFileSync(licences));
  });

  // Compressed once, not per request: about a third of the raw size, which matters on a commune link.
  let script: { body: Buffer; gzip: Buffer; etag: string } | undefined;
  app.get('/rum.js', { schema: { hide: true } }, async (request, reply) => {
    if (!script) {
      const file = findScript();
      if (!file) throw new HttpError(404, ErrorCode.NOT_FOUND, 'rum.js is not built: run `npm run build`');
      const body = readFileSync(file);
      script = {
        body,
        gzip: gzipSync(body, { level: 9 }),
        etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
      };
    }
    if (request.headers['if-none-match'] === script.etag) return reply.code(304).send();
    // An hour: pages pick up a new release within the hour; the ETag makes revalidation a 304.
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (gzip) void reply.header('content-encoding', 'gzip');
    return reply
      .type('text/javascript; charset=utf-8')
      .header('vary', 'Accept-Encoding')
      .header('cache-control', 'public, max-age=3600')
      .header('etag', script.etag)
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(gzip ? script.gzip : script.body);
  });
}
