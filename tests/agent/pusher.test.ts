/**
 * The pusher against a real HTTP server whose replies the test controls: what is deleted, kept, split or
 * parked for each reply, and how long it waits before trying again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import pino from 'pino';
import { Outbox } from '../../agent/outbox.js';
import { Pusher, type PusherOptions } from '../../agent/pusher.js';
import { backoffDelayMs, parseRetryAfterMs } from '../../agent/backoff.js';
import type { IngestBatch } from '../../protocol/wire.js';
import { tempDir } from '../helpers/temp-dir.js';

type Reply = (req: IncomingMessage, res: ServerResponse, body: IngestBatch) => void;

const ack = (res: ServerResponse, b: IngestBatch) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      batchId: b.batchId,
      stored: b.results.length,
      duplicates: 0,
      replay: false,
      serverTime: Date.now(),
      skewMs: 0,
      clockCorrected: false,
    }),
  );
};
const status =
  (code: number, headers: Record<string, string> = {}) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ statusCode: code, code: 'X', error: 'x', message: `refused with ${code}` }));
  };

describe('Pusher', () => {
  let server: Server;
  let url: string;
  let reply: Reply;
  const received: Array<{ url: string; headers: IncomingMessage['headers']; body: IngestBatch }> = [];
  let dir: ReturnType<typeof tempDir>;
  let outbox: Outbox;

  beforeEach(async () => {
    received.length = 0;
    reply = (_q, res, b) => ack(res, b);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString()) as IngestBatch;
        received.push({ url: req.url ?? '', headers: req.headers, body });
        server.emit('batch', body);
        reply(req, res, body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    dir = tempDir();
    outbox = new Outbox({ file: join(dir.path, 'outbox.db'), maxRows: 1000, maxAgeDays: 30 });
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    outbox.close();
    dir.remove();
  });

  function pusher(over: Partial<PusherOptions> = {}): Pusher {
    return new Pusher({
      outbox,
      serverUrl: url,
      token: 'cwa_tok',
      commune: '26734',
      batchSize: 10,
      minBackoffMs: 1000,
      maxBackoffMs: 60_000,
      idleMs: 60_000,
      requestTimeoutMs: 2000,
      log: pino({ level: 'silent' }),
      agentStatus: () => ({ version: 't', outboxPending: outbox.stats().pending }),
      random: () => 1,
      now: () => 1_000_000,
      ...over,
    });
  }
  function fill(n: number): void {
    for (let i = 0; i < n; i++)
      outbox.append({
        id: randomUUID(),
        ts: Date.now() - 1000 + i,
        target: 'gw',
        kind: 'tcp',
        service: 'network',
        ok: true,
        durationMs: 1,
        latencyMs: 1,
        tcp: { connectMs: 1 },
      });
  }

  it('sends a gzip batch with the token and deletes it once acknowledged', async () => {
    fill(3);
    const out = await pusher().pushOnce();
    expect(out).toMatchObject({ kind: 'acked', count: 3 });
    expect(received[0]!.headers).toMatchObject({
      authorization: 'Bearer cwa_tok',
      'content-encoding': 'gzip',
      'content-type': 'application/json',
    });
    expect(received[0]!.body).toMatchObject({
      v: 1,
      commune: '26734',
      sentAt: 1_000_000,
      agent: { version: 't', outboxPending: 3 },
    });
    expect(received[0]!.body.results.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(outbox.stats().pending).toBe(0);
    expect(await pusher().pushOnce()).toEqual({ kind: 'empty' });
  });

  it('posts under the configured URL path (a server behind a reverse-proxy sub-path)', async () => {
    fill(1);
    await pusher({ serverUrl: `${url}/communewatch` }).pushOnce();
    await pusher({ serverUrl: `${url}/` }).pushOnce();
    expect(received.map((r) => r.url)).toEqual(['/communewatch/api/v1/ingest']);
    fill(1);
    await pusher({ serverUrl: `${url}/` }).pushOnce();
    expect(received.map((r) => r.url)).toEqual(['/communewatch/api/v1/ingest', '/api/v1/ingest']);
  });

  it('grows the batch size back after a 413 once smaller batches go through', async () => {
    fill(40);
    let limit = 2;
    reply = (req, res, b) => (b.results.length > limit ? status(413)(req, res) : ack(res, b));
    const p = pusher({ batchSize: 4 });
    expect(await p.pushOnce()).toMatchObject({ kind: 'split', newBatchSize: 2 });
    limit = 4; // the limit was lifted (e.g. a proxy reconfigured)
    for (let i = 0; i < 10; i++) expect(await p.pushOnce()).toMatchObject({ kind: 'acked', count: 2 });
    expect(await p.pushOnce()).toMatchObject({ kind: 'acked', count: 4 });
  });

  it('keeps the batch and honours Retry-After on 503, then resends the same batch id', async () => {
    fill(2);
    reply = status(503, { 'retry-after': '7' });
    const p = pusher();
    const first = await p.pushOnce();
    expect(first).toMatchObject({ kind: 'retry', delayMs: 7000 });
    expect(outbox.stats().pending).toBe(2);
    reply = (_q, res, b) => ack(res, b);
    expect(await p.pushOnce()).toMatchObject({ kind: 'acked', batchId: (first as { batchId: string }).batchId });
    expect(received.map((r) => r.body.batchId)).toEqual([received[0]!.body.batchId, received[0]!.body.batchId]);
  });

  it('backs off exponentially with jitter, capped, on server errors and network failures', async () => {
    fill(1);
    reply = status(500);
    const p = pusher({ maxBackoffMs: 4000 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) delays.push(((await p.pushOnce()) as { delayMs: number }).delayMs);
    expect(delays).toEqual([1000, 2000, 4000, 4000]); // random() = 1: the top of each jitter range
    // A kept-alive socket may see the close first ("other side closed"), a new one is refused.
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    const down = await p.pushOnce();
    expect(down).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(/^network: .*(ECONNREFUSED|other side closed)/),
    });
    expect(outbox.stats().pending).toBe(1);
    server.listen(0, '127.0.0.1'); // afterEach closes it
    await once(server, 'listening');
  });

  it('gives up on a request that hangs after requestTimeoutMs and keeps the batch', async () => {
    fill(1);
    reply = () => undefined; // never answers
    const out = await pusher({ requestTimeoutMs: 300 }).pushOnce();
    expect(out).toMatchObject({ kind: 'retry', reason: 'network: ETIMEDOUT no complete answer within 300 ms' });
    expect(outbox.stats().pending).toBe(1);
  });

  it('splits the batch on 413', async () => {
    fill(8);
    reply = (req, res, b) => (b.results.length > 2 ? status(413)(req, res) : ack(res, b));
    const p = pusher({ batchSize: 8 });
    expect(await p.pushOnce()).toMatchObject({ kind: 'split', newBatchSize: 4 });
    expect(await p.pushOnce()).toMatchObject({ kind: 'split', newBatchSize: 2 });
    expect(await p.pushOnce()).toMatchObject({ kind: 'acked', count: 2 });
    expect(received.map((r) => r.body.results.length)).toEqual([8, 4, 2]);
  });

  it('parks a batch the server calls malformed (400) and moves on', async () => {
    fill(3);
    reply = status(400);
    const p = pusher({ batchSize: 2 });
    expect(await p.pushOnce()).toMatchObject({ kind: 'dead-lettered', reason: 'HTTP 400: refused with 400' });
    expect(outbox.stats()).toMatchObject({ pending: 1, deadLettered: 2 });
  });

  it('keeps everything on 401/403 and waits long', async () => {
    fill(2);
    reply = status(401);
    const out = await pusher({ maxBackoffMs: 300_000 }).pushOnce();
    expect(out).toMatchObject({ kind: 'retry', reason: 'HTTP 401: refused with 401', delayMs: 300_000 });
    expect(outbox.stats().pending).toBe(2);
  });

  it('lingers after a notify so the results of one round go in one batch', async () => {
    const p = pusher({ idleMs: 60_000, lingerMs: 150 });
    p.start();
    try {
      await new Promise((r) => setTimeout(r, 20)); // idle on an empty outbox
      const arrived = once(server, 'batch');
      fill(1);
      p.notify();
      fill(2);
      p.notify(); // within the linger: no second wake-up, no second request
      const [body] = (await arrived) as [IngestBatch];
      expect(body.results).toHaveLength(3);
      expect(received).toHaveLength(1);
    } finally {
      await p.stop();
    }
  });

  it('stopping lets a request in flight be acknowledged (the server stored it), within the grace period', async () => {
    reply = (_q, res, b) => setTimeout(() => ack(res, b), 300); // the server is slow to answer
    const p = pusher({ idleMs: 60_000 });
    fill(3);
    const arrived = once(server, 'batch');
    p.start();
    await arrived; // the request is in flight
    await p.stop(5_000);
    expect(outbox.stats().pending).toBe(0); // acknowledged, not left to be re-sent as a replay
  });

  it('stopping aborts a request in flight once the grace period is over; its results stay queued', async () => {
    reply = () => undefined; // never answers
    const p = pusher({ idleMs: 60_000 });
    fill(2);
    const arrived = once(server, 'batch');
    p.start();
    await arrived;
    await p.stop(100);
    expect(outbox.stats().pending).toBe(2);
  });

  it('wakes from idle when told new results are queued', async () => {
    const p = pusher({ idleMs: 60_000 });
    p.start();
    try {
      await new Promise((r) => setTimeout(r, 20)); // let it find the outbox empty and go idle
      fill(1);
      const arrived = once(server, 'batch');
      p.notify();
      const [body] = (await arrived) as [IngestBatch];
      expect(body.results).toHaveLength(1);
    } finally {
      await p.stop();
    }
  });
});

describe('backoff', () => {
  it('stays within [ceiling/2, ceiling] and the cap', () => {
    const policy = { minMs: 1000, maxMs: 300_000 };
    expect(backoffDelayMs(1, policy, () => 0)).toBe(500);
    expect(backoffDelayMs(1, policy, () => 1)).toBe(1000);
    expect(backoffDelayMs(5, policy, () => 0.5)).toBe(12_000);
    expect(backoffDelayMs(50, policy, () => 1)).toBe(300_000);
    expect(backoffDelayMs(50, policy, () => 0)).toBe(150_000);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-25T08:00:00Z');
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Wed, 25 Nov 2026 08:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Wed, 25 Nov 2026 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });
});
