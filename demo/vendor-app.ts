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
  /** Target name and service class the demo agent uses for this endpoint. */
  target: string;
  service: string;
  title: string;
  /** Keyword present in the healthy page (what a keyword check looks for). */
  keyword: string;
}

export const VENDOR_ENDPOINTS: VendorEndpoint[] = [
  {
    path: '/motcua/dang-nhap',
    target: 'motcua',
    service: 'one-stop-shop',
    title: 'Hệ thống một cửa điện tử (mô phỏng)',
    keyword: 'Đăng nhập',
  },
  {
    path: '/hotich/',
    target: 'hotich',
    service: 'civil-status',
    title: 'Phần mềm hộ tịch (mô phỏng)',
    keyword: 'Hộ tịch',
  },
  {
    path: '/thanhtoan/',
    target: 'thanhtoan',
    service: 'payment',
    title: 'Thanh toán trực tuyến (mô phỏng)',
    keyword: 'Thanh toán',
  },
];

export interface VendorAppOptions {
  /** Address to listen on; default 127.0.0.1 (the fault lab binds a namespace address). */
  host?: string;
  port?: number;
  /** Delay of a `slow` response, ms. */
  slowMs?: number;
  /**
   * Per-path fault scripts: the n-th request to a path gets script[n % length]. Deterministic, so a demo
   * shows failures within its first rounds and a test can rely on them. `setFault` overrides a script.
   */
  scripts?: Record<string, Fault[]>;
}

/** The demo's faults: payment fails on its first round, the others now and then. */
export const DEMO_FAULT_SCRIPTS: Record<string, Fault[]> = {
  '/motcua/dang-nhap': ['ok', 'ok', 'ok', 'error503', 'ok', 'slow'],
  '/hotich/': ['ok', 'hang', 'ok', 'ok', 'wrongPage', 'ok', 'ok', 'ok'],
  '/thanhtoan/': ['error503', 'ok', 'ok', 'slow', 'ok', 'ok', 'ok', 'error503', 'error503'],
};

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
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', resolve);
    });
    return this.url;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}`;
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

  private pickFault(path: string, hit: number): Fault {
    const fixed = this.faults.get(path);
    if (fixed) return fixed;
    const script = this.opts.scripts?.[path];
    return script && script.length > 0 ? script[hit % script.length]! : 'ok';
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    const hit = this.hits.get(path) ?? 0;
    this.hits.set(path, hit + 1);
    const endpoint = VENDOR_ENDPOINTS.find((e) => e.path === path);
    const fault = this.pickFault(path, hit);
    const page = (title: string, body: string) =>
      `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${title}</title></head>` +
      `<body><h1>${title}</h1>${body}</body></html>`;
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
