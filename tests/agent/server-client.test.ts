/**
 * The agent's node:http client against a real server: bodies, the size cap, timeouts, cancellation, and the
 * one retry when a kept-alive connection was closed by the server between two requests.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { serverRequest, ServerRequestError } from '../../agent/server-client.js';

describe('serverRequest', () => {
  let server: Server;
  let base: URL;
  let handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
  const sockets = new Set<string>();

  beforeEach(async () => {
    sockets.clear();
    server = createServer((req, res) => {
      sockets.add(`${req.socket.remotePort}`);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handle(req, res, Buffer.concat(chunks)));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const call = (over: Partial<Parameters<typeof serverRequest>[0]> = {}) =>
    serverRequest({
      method: 'POST',
      url: new URL('x', base),
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from('hello'),
      timeoutMs: 2000,
      maxResponseBytes: 1024,
      ...over,
    });

  it('sends the body with its length and returns status, lower-case headers and text', async () => {
    handle = (req, res, body) => {
      res.writeHead(201, { 'Retry-After': '7', ETag: '"v1"' });
      res.end(`${req.method} ${req.headers['content-length']} ${body.toString()}`);
    };
    const res = await call();
    expect(res).toMatchObject({ status: 201, body: 'POST 5 hello', tooLarge: false });
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers.etag).toBe('"v1"');
  });

  it('stops reading a body over the cap and says so', async () => {
    handle = (_q, res) => res.end('x'.repeat(64 * 1024));
    expect(await call({ maxResponseBytes: 1000 })).toMatchObject({ status: 200, body: undefined, tooLarge: true });
  });

  it('gives up after timeoutMs on a server that never answers', async () => {
    handle = () => undefined;
    await expect(call({ timeoutMs: 200 })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
      message: 'ETIMEDOUT no complete answer within 200 ms',
    });
  });

  it('is cancelled by its signal', async () => {
    handle = () => undefined;
    const controller = new AbortController();
    const pending = call({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(ServerRequestError);
    await expect(pending).rejects.toMatchObject({ code: 'ABORT_ERR' });
  });

  it('names the network error, e.g. a refused connection', async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await expect(call()).rejects.toMatchObject({
      code: 'ECONNREFUSED',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    server.listen(0, '127.0.0.1'); // afterEach closes it
    await once(server, 'listening');
  });

  it('reuses the connection, and retries once on a new one when the server closed the idle one', async () => {
    handle = (_q, res) => res.end('ok');
    await call();
    await call();
    expect(sockets.size).toBe(1);
    // The server drops the idle connection without the client noticing yet: the next request goes out on
    // it, fails with a reset, and must be repeated on a fresh connection instead of reported.
    let dropped = false;
    handle = (req, res) => {
      if (!dropped) {
        dropped = true;
        req.socket.destroy();
        return;
      }
      res.end('second try');
    };
    expect((await call()).body).toBe('second try');
    expect(sockets.size).toBe(2);
  });
});
