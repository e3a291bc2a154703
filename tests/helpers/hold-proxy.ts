/**
 * An HTTP proxy in front of the server that can hold replies: in `hold` mode it forwards each request
 * upstream (so the server stores the batch) but keeps the reply from the client and emits 'held'. A test
 * can then kill the agent at exactly the moment a batch is stored but unacknowledged.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { EventEmitter, once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';

export class HoldProxy extends EventEmitter {
  mode: 'pass' | 'hold' = 'pass';
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly upstream: string) {
    super();
    this.server = createServer((req, res) => this.forward(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves with the upstream status of the next reply held back from the client. */
  nextHeld(): Promise<number> {
    return once(this, 'held').then(([status]) => status as number);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const up = new URL(this.upstream);
    const out = httpRequest(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          if (this.mode === 'hold') {
            this.emit('held', upRes.statusCode);
            return; // the client never gets this reply
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  }
}
