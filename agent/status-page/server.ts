/**
 * The agent's local status page over plain node:http (the agent has no web framework, and three routes do
 * not need one): GET / is the page, GET /status.json the snapshot, anything else 404, other methods 405.
 *
 * It binds only the configured host (127.0.0.1 by default; the page is off unless config.statusPage.enabled,
 * because commune PCs are often shared). On a loopback address it also refuses requests whose Host header
 * names another site, so a web page cannot read it through DNS rebinding.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AgentSnapshot } from '../snapshot.js';
import { CONTENT_SECURITY_POLICY, parseLang, renderPage } from './render.js';

export interface AgentStatusPageOptions {
  host: string;
  /** 0 picks a free port (tests); the chosen one is in `url`. */
  port: number;
  /** Called on every request: the page is always current, and nothing is cached. */
  snapshot: () => AgentSnapshot;
  log: Logger;
  now?: () => number;
}

export interface AgentStatusPage {
  /** Base URL actually listened on, e.g. http://127.0.0.1:8765/ */
  url: string;
  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void>;
}

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The host name of a Host header, without port or IPv6 brackets. */
function hostName(header: string): string {
  const m = /^\[([^\]]*)\]|^([^:]*)/.exec(header.trim().toLowerCase());
  return m?.[1] ?? m?.[2] ?? '';
}

/** Starts serving the page; rejects when the address cannot be bound (e.g. the port is taken). */
export async function startAgentStatusPage(opts: AgentStatusPageOptions): Promise<AgentStatusPage> {
  const now = opts.now ?? Date.now;
  const log = opts.log;
  const guardHost = isLoopback(opts.host);

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    body: string,
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      ...BASE_HEADERS,
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      ...extra,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const plain = 'text/plain; charset=utf-8';

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // HEAD is GET without a body; HTTP requires a server that answers GET to answer HEAD too.
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(req, res, 405, plain, 'Method Not Allowed\n', { allow: 'GET, HEAD' });
    if (guardHost && req.headers.host !== undefined && !isLoopback(hostName(req.headers.host))) {
      return send(req, res, 403, plain, 'Forbidden: this page answers only to localhost\n');
    }
    // Split by hand: new URL() would read "//x/status.json" as host x, path /status.json.
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q === -1 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
    if (path !== '/' && path !== '/status.json') return send(req, res, 404, plain, 'Not Found\n');
    let snapshot: AgentSnapshot;
    try {
      snapshot = opts.snapshot();
    } catch (err) {
      log.error({ err }, 'status page: could not read the agent snapshot');
      return send(req, res, 500, plain, 'Internal Server Error\n');
    }
    if (path === '/status.json')
      return send(req, res, 200, 'application/json; charset=utf-8', JSON.stringify(snapshot));
    send(
      req,
      res,
      200,
      'text/html; charset=utf-8',
      renderPage(snapshot, { lang: parseLang(query.get('lang')), now: now() }),
    );
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      log.error({ err, url: req.url }, 'status page: request failed');
      if (!res.headersSent) send(req, res, 500, plain, 'Internal Server Error\n');
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'status page server error'));

  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/`;
  log.info({ url }, 'status page listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
