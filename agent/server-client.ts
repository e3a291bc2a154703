/**
 * The agent's HTTP client for its own server (push results, fetch the probe plan), on node:http/https.
 *
 * Why not the global `fetch`: in Node 20–24 it loads undici on first use, which costs the agent process about
 * 35 MiB of RSS (measured: 43 → 80 MiB after 200 requests, against 43 → 52 MiB with node:http). The agent
 * lives on old commune PCs next to the officials' browsers, so memory is the budget that matters most
 * (docs/benchmarks.md). Two calls, one server: this is all the client we need.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';

export interface ServerRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  /** Whole request, connect to last byte of the response. */
  timeoutMs: number;
  /** Bodies larger than this are not read; `body` is then undefined and `tooLarge` true. */
  maxResponseBytes: number;
  signal?: AbortSignal;
}

export interface ServerResponse {
  status: number;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingMessage['headers'];
  body: string | undefined;
  tooLarge: boolean;
}

/** A failure before a status was received, with a message fit for the log: "ECONNREFUSED connect …". */
export class ServerRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly onReusedSocket = false,
  ) {
    super(message);
    this.name = 'ServerRequestError';
  }
}

// One keep-alive pool per process: pushes come every few seconds, a new TCP (and TLS) handshake each time
// would cost the server and the link more than the push itself.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 2 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 2 });

export async function serverRequest(req: ServerRequest): Promise<ServerResponse> {
  try {
    return await attempt(req);
  } catch (err) {
    // The server closes idle keep-alive connections after its timeout; a request that raced that close
    // fails on the reused socket before any answer. Both our calls are safe to repeat (the ingest is
    // idempotent on batchId), so try once more on a new connection, as the Node docs advise.
    if (err instanceof ServerRequestError && err.onReusedSocket && err.code === 'ECONNRESET' && !req.signal?.aborted)
      return attempt(req);
    throw err;
  }
}

function attempt(req: ServerRequest): Promise<ServerResponse> {
  return new Promise((resolve, reject) => {
    const https = req.url.protocol === 'https:';
    const headers: Record<string, string> = { ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    let settled = false;
    const fail = (err: Error & { code?: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      outgoing.destroy();
      const message = err.code && !err.message.includes(err.code) ? `${err.code} ${err.message}` : err.message;
      reject(new ServerRequestError(message, err.code, outgoing.reusedSocket));
    };
    const onAbort = (): void => fail(Object.assign(new Error('request cancelled'), { code: 'ABORT_ERR' }));
    const outgoing = (https ? httpsRequest : httpRequest)(
      req.url,
      { method: req.method, headers, agent: https ? httpsAgent : httpAgent },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        res.on('data', (chunk: Buffer) => {
          if (tooLarge) return;
          size += chunk.length;
          if (size > req.maxResponseBytes) {
            tooLarge = true;
            chunks.length = 0;
            finish();
            // The rest is never read: drop the connection rather than download it.
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        const finish = (): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          req.signal?.removeEventListener('abort', onAbort);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: tooLarge ? undefined : Buffer.concat(chunks).toString('utf8'),
            tooLarge,
          });
        };
        res.on('end', finish);
        res.on('error', fail);
        res.on('aborted', () =>
          fail(Object.assign(new Error('the server closed the connection mid-response'), { code: 'ECONNRESET' })),
        );
      },
    );
    const timer = setTimeout(
      () => fail(Object.assign(new Error(`no complete answer within ${req.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      req.timeoutMs,
    );
    outgoing.on('error', fail);
    if (req.signal?.aborted) return onAbort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.end(req.body);
  });
}

/** Closes idle keep-alive sockets, so a stopping agent does not wait for the server to close them. */
export function closeIdleConnections(): void {
  httpAgent.destroy();
  httpsAgent.destroy();
}
