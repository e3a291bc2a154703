/** A small real HTTP server that records every request (webhook, Telegram, Zalo stand-ins) and answers as told. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { once } from 'node:events';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Recorder {
  url: string;
  requests: Recorded[];
  /** Answer for a path prefix: status and body (default 200 {"ok":true}). */
  answer(prefix: string, status: number, body: unknown): void;
  close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
  const requests: Recorded[] = [];
  const answers = new Map<string, { status: number; body: unknown }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const a = [...answers.entries()].find(([prefix]) => (req.url ?? '').startsWith(prefix))?.[1] ?? {
        status: 200,
        body: { ok: true },
      };
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    answer: (prefix, status, body) => void answers.set(prefix, { status, body }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
