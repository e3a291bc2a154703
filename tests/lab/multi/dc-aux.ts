/**
 * The lab's helpers inside a world's data-centre namespace, one process
 * (`ip netns exec <dc> node --import tsx tests/lab/multi/dc-aux.ts '<json options>'`):
 *
 * - the webhook receiver the server alerts: each POST is appended to `messagesFile` as one JSON line
 *   `{receivedAt, path, signatureOk, body}` (HMAC checked as docs/alerts.md says), answered 200;
 * - a bridge from the Unix socket `apiSocket` (a file, reachable from the test's namespace without any
 *   route) to the server's TCP port, so the test reads the API while the root namespace has no address;
 * - a bulk sender (`bulkPort` on `bulkHost`): writes data to whoever connects, as fast as the link takes
 *   it — the load of the congestion fault.
 *
 * Prints "ready" once all three listen; exits when stdin closes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

interface Options {
  messagesFile: string;
  hookPort: number;
  secretFile: string;
  apiSocket: string;
  serverPort: number;
  bulkHost: string;
  bulkPort: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
const secret = readFileSync(opts.secretFile, 'utf8').trim();
const sockets = new Set<Socket>();
const track = (s: Socket) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
};

const hook = createHttpServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const ts = String(req.headers['x-communewatch-timestamp'] ?? '');
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex')}`);
    const got = Buffer.from(String(req.headers['x-communewatch-signature'] ?? ''));
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // kept as text: the test reports it
    }
    const line = {
      receivedAt: Date.now(),
      path: req.url ?? '',
      signatureOk: got.length === expected.length && timingSafeEqual(got, expected),
      body,
    };
    appendFileSync(opts.messagesFile, `${JSON.stringify(line)}\n`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
hook.on('connection', track);

rmSync(opts.apiSocket, { force: true });
const bridge = createNetServer((client) => {
  track(client);
  const upstream = connect(opts.serverPort, '127.0.0.1');
  track(upstream);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});

const chunk = Buffer.alloc(64 * 1024, 0x61);
const bulk = createNetServer((s) => {
  track(s);
  s.on('error', () => s.destroy());
  const pump = () => {
    while (!s.destroyed && s.write(chunk));
  };
  s.on('drain', pump);
  pump();
});

const listen = async (server: Server, ...args: unknown[]) => {
  (server.listen as (...a: unknown[]) => void)(...args);
  await once(server, 'listening');
};
await listen(hook, opts.hookPort, '127.0.0.1');
await listen(bridge, opts.apiSocket);
await listen(bulk, opts.bulkPort, opts.bulkHost);

process.stdin.resume();
process.stdin.on('end', () => {
  for (const s of sockets) s.destroy();
  hook.close();
  bridge.close();
  bulk.close();
  rmSync(opts.apiSocket, { force: true });
  process.exit(0);
});
process.stdout.write('ready\n');
