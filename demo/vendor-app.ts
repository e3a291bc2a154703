/**
 * A simulated vendor web app (one-stop-shop, civil-status, payment) with switchable faults. Used by the
 * `demo` command, so a newcomer sees failing services next to healthy ones, and by tests as the stand-in
 * for vendor services we cannot run ourselves. It is a real HTTP server on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault = 'ok' | 'error503' | 'slow' | 'hang' | 'wrongPage';

export interface VendorEndpoint {
  path: string;
  title: string;
  /** Keyword present in the healthy page (what a keyword check looks for). */
  keyword: string;
}

export const VENDOR_ENDPOINTS: VendorEndpoint[] = [
  { path: '/motcua/dang-nhap', title: 'Hệ thống một cửa điện tử (mô phỏng)', keyword: 'Đăng nhập' },
  { path: '/hotich/', title: 'Phần mềm hộ tịch (mô phỏng)', keyword: 'Hộ tịch' },
  { path: '/thanhtoan/', title: 'Thanh toán trực tuyến (mô phỏng)', keyword: 'Thanh toán' },
];

export interface VendorAppOptions {
  port?: number;
  /** Delay of a `slow` response, ms. */
  slowMs?: number;
  /** When set, each request draws a random fault with these weights (demo mode). */
  randomFaults?: Partial<Record<Fault, number>>;
  random?: () => number;
}

export class VendorApp {
  private readonly server: Server;
  private readonly faults = new Map<string, Fault>();
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  /** Requests served per path, for tests that check what a probe did. */
  readonly hits = new Map<string, number>();

  constructor(private readonly opts: VendorAppOptions = {}) {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, '127.0.0.1', resolve);
    });
    return this.url;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Sets the behaviour of one path (exact match) until changed. */
  setFault(path: string, fault: Fault): void {
    this.faults.set(path, fault);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pickFault(path: string): Fault {
    const fixed = this.faults.get(path);
    if (fixed) return fixed;
    const weights = this.opts.randomFaults;
    if (!weights) return 'ok';
    const entries = Object.entries(weights) as [Fault, number][];
    const total = entries.reduce((a, [, w]) => a + w, 0);
    let x = (this.opts.random ?? Math.random)() * total;
    for (const [fault, w] of entries) if ((x -= w) < 0) return fault;
    return 'ok';
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    const endpoint = VENDOR_ENDPOINTS.find((e) => e.path === path);
    const fault = this.pickFault(path);
    const page = (title: string, body: string) =>
      `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
    switch (fault) {
      case 'hang':
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return; // never answers: the probe must time out
      case 'error503':
        res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'retry-after': '120' });
        res.end(page('503 Service Unavailable', '<p>Hệ thống đang bảo trì / under maintenance</p>'));
        return;
      case 'wrongPage':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page('Lỗi', '<p>Exception in thread "main" java.lang.NullPointerException</p>'));
        return;
      case 'slow':
      case 'ok': {
        const send = () => {
          if (!endpoint && path !== '/') {
            res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
            res.end('not found');
            return;
          }
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(page(endpoint?.title ?? 'Vendor app (simulated)', `<p>${endpoint?.keyword ?? 'OK'}</p>`));
        };
        if (fault === 'slow') setTimeout(send, this.opts.slowMs ?? 2500);
        else send();
      }
    }
  }
}
