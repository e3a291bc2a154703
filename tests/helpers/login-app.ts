/**
 * A small vendor web app with a login, shaped like the one-stop-shop and civil-status apps communes use: real HTTP
 * on 127.0.0.1, port 0, with switchable faults. Paths are Vietnamese because the real apps' are.
 *
 *   GET  /dang-nhap   login page; sets a pre-login cookie and puts the same token in a hidden `_csrf` field
 *   POST /dang-nhap   form login; needs the pre-login cookie (and `_csrf`, when sent, must match it);
 *                     success: session cookie + 302 /ho-so; failure: 302 /dang-nhap?loi=1
 *   POST /api/login   JSON login {username, password}; success: session cookie + 302 /api/ho-so; failure: 401 JSON
 *                     that echoes the username, as careless apps do
 *   GET  /ho-so       page behind the login; GET /api/ho-so its JSON; without a session: 302 /dang-nhap?next=…
 * The login also sets `ngon_ngu=vi; Path=/api`, so tests can see that Path is honoured.
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface LoginAppFaults {
  /** Every login is refused, whatever the credentials (a locked account). */
  loginRejects: boolean;
  /** The pages behind the login answer 500 (the app's database is down). */
  profileError: boolean;
  /** Requests to this path are accepted and never answered (a hung backend). */
  hangPath: string | undefined;
}

export interface SeenRequest {
  method: string;
  path: string;
  cookie: string | undefined;
  contentType: string | undefined;
  body: string;
}

export interface LoginApp {
  /** http://127.0.0.1:port, or https:// when started with a certificate */
  base: string;
  account: { username: string; password: string };
  /** Flip these between probe runs. */
  faults: LoginAppFaults;
  /** Every request, in order, for asserting what the probe sent. */
  requests: SeenRequest[];
  /** Resolves when the next request for `path` has arrived (e.g. the one a hung backend now holds). */
  arrived(path: string): Promise<void>;
  close(): Promise<void>;
}

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

function cookies(req: http.IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return jar;
}

/** Starts the app; `account` is the one user it accepts; with `tls` it speaks HTTPS. */
export async function startLoginApp(
  account = { username: 'canbo.xa', password: 'Mk#2024 bí-mật&' },
  tls?: { cert: string; key: string },
): Promise<LoginApp> {
  const faults: LoginAppFaults = { loginRejects: false, profileError: false, hangPath: undefined };
  const requests: SeenRequest[] = [];
  const preLogin = new Set<string>();
  const sessions = new Set<string>();
  const waiters: { path: string; resolve: () => void }[] = [];

  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://app');
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        cookie: req.headers.cookie,
        contentType: req.headers['content-type'],
        body,
      });
      for (const w of waiters.filter((w) => w.path === url.pathname)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      if (url.pathname === faults.hangPath) return; // accept, never answer
      const jar = cookies(req);
      const loggedIn = sessions.has(jar.get('PHIENLAMVIEC') ?? '');
      const login = (ok: boolean, next: string): void => {
        if (!ok || faults.loginRejects) return void res.writeHead(302, { location: '/dang-nhap?loi=1' }).end();
        const sid = randomUUID();
        sessions.add(sid);
        res.writeHead(302, {
          location: next,
          'set-cookie': [
            `PHIENLAMVIEC=${sid}; Path=/; HttpOnly; SameSite=Lax`,
            'ngon_ngu=vi; Path=/api',
            'csrf_phien=; Path=/; Max-Age=0',
          ],
        });
        res.end();
      };
      const route = `${req.method} ${url.pathname}`;
      if (route === 'GET /dang-nhap') {
        const token = randomUUID();
        preLogin.add(token);
        const error = url.searchParams.has('loi') ? '<p class="loi">Sai tên đăng nhập hoặc mật khẩu</p>' : '';
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'set-cookie': `csrf_phien=${token}; Path=/; HttpOnly`,
        });
        res.end(
          page(
            'Đăng nhập',
            `<h1>Đăng nhập hệ thống một cửa</h1>${error}<form method="post"><input type="hidden" name="_csrf" value="${token}"></form>`,
          ),
        );
      } else if (route === 'POST /dang-nhap') {
        const form = new URLSearchParams(body);
        const token = jar.get('csrf_phien') ?? '';
        const csrf = form.get('_csrf');
        if (!preLogin.has(token) || (csrf !== null && csrf !== token))
          return void res.writeHead(403).end(page('Lỗi', 'Phiên làm việc đã hết hạn'));
        login(form.get('username') === account.username && form.get('password') === account.password, '/ho-so');
      } else if (route === 'POST /api/login') {
        let creds: { username?: unknown; password?: unknown } = {};
        try {
          creds = JSON.parse(body) as typeof creds;
        } catch {
          return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad json"}');
        }
        const ok = creds.username === account.username && creds.password === account.password && !faults.loginRejects;
        if (!ok)
          return void res
            .writeHead(401, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: 'invalid credentials', username: creds.username }));
        login(true, '/api/ho-so');
      } else if (route === 'GET /ho-so' || route === 'GET /api/ho-so') {
        const api = url.pathname.startsWith('/api/');
        if (!loggedIn)
          return void res.writeHead(302, { location: `/dang-nhap?next=${encodeURIComponent(url.pathname)}` }).end();
        if (faults.profileError)
          return void res.writeHead(500).end(api ? '{"error":"database unavailable"}' : page('Lỗi', 'Lỗi hệ thống'));
        if (api) {
          const items = [
            { id: 'HS-001', loai: 'khai-sinh' },
            { id: 'HS-002', loai: 'ket-hon' },
          ];
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ data: { total: 12, owner: account.username, items } }));
        } else {
          res
            .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
            .end(page('Hồ sơ', `<h1>Xin chào ${account.username}</h1><p>12 hồ sơ đang xử lý</p>`));
        }
      } else res.writeHead(404).end();
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    account,
    faults,
    requests,
    arrived: (path) => new Promise((resolve) => waiters.push({ path, resolve })),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
