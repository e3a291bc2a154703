/**
 * `communewatch demo`: the whole product on one machine — server, one in-process agent for a demo
 * commune, and a simulated vendor app with random faults — so a newcomer sees healthy and failing
 * services within a minute. Everything is labelled demo: commune code DEMO, a banner on the page.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import si from 'systeminformation';
import { loadServerConfig } from '../server/config.js';
import { startServer } from '../server/main.js';
import { createAgentToken, verifyToken } from '../server/auth/agent-tokens.js';
import { hashPassword } from '../server/auth/passwords.js';
import { randomBytes } from 'node:crypto';
import { Agent } from '../agent/agent.js';
import { AgentConfigSchema, type AgentConfig } from '../agent/config.js';
import { resolveTargets } from '../agent/probes/schemas.js';
import { ConfigError } from '../common/config-file.js';
import { DEMO_FAULT_SCRIPTS, VendorApp, VENDOR_ENDPOINTS } from '../demo/vendor-app.js';
import { Value } from 'typebox/value';
import { onShutdown } from './shutdown.js';

export const DEMO_COMMUNE = 'DEMO';

export async function runDemo(flags: { data?: string; port?: number; host?: string; gateway: boolean }): Promise<void> {
  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  const config = loadServerConfig({ data: flags.data, host: flags.host ?? '127.0.0.1', port: flags.port ?? 8080 });
  mkdirSync(config.dataDir, { recursive: true });

  const vendor = new VendorApp({ scripts: DEMO_FAULT_SCRIPTS, slowMs: 2500 });
  await vendor.listen();
  const server = await startServer(config, { log, demo: true });
  const token = demoToken(server.store, config.dataDir);
  const gateway = flags.gateway ? await si.networkGatewayDefault().catch(() => '') : '';

  const targets = [
    {
      name: 'loopback',
      kind: 'icmp',
      service: 'network',
      host: '127.0.0.1',
      count: 3,
      intervalMs: 200,
      intervalSec: 15,
      timeoutMs: 5000,
    },
    {
      name: 'central-server',
      kind: 'http',
      service: 'monitoring',
      url: `${server.url}/readyz`,
      intervalSec: 15,
      timeoutMs: 5000,
    },
    {
      name: 'central-server-tcp',
      kind: 'tcp',
      service: 'monitoring',
      host: '127.0.0.1',
      port: Number(new URL(server.url).port),
      intervalSec: 15,
      timeoutMs: 3000,
    },
    ...VENDOR_ENDPOINTS.map((e) => ({
      name: e.target,
      kind: 'http',
      service: e.service,
      url: `${vendor.url}${e.path}`,
      keyword: e.keyword,
      intervalSec: 10,
      timeoutMs: 4000,
    })),
  ];
  // The path check covers the LAN gateway (role gateway); its result shows as path-gateway.
  const path = { gateway: gateway || 'none', intervalSec: 15 };
  const raw = Value.Default(AgentConfigSchema, {
    commune: DEMO_COMMUNE,
    server: { url: server.url },
    path,
    targets,
  }) as AgentConfig & { targets: never };
  const resolved = resolveTargets(raw.targets, raw.defaults);
  if (resolved.problems.length > 0) throw new ConfigError('(built-in demo config)', resolved.problems);
  const agent = new Agent({
    config: {
      ...raw,
      file: join(config.dataDir, 'demo-agent.yaml'),
      dataDir: join(config.dataDir, 'demo-agent'),
      targets: resolved.targets,
      push: { ...raw.push, idleSec: 2 },
    },
    token,
    log: log.child({ component: 'agent' }),
  });
  agent.start();
  const login = await demoLogin(server.store, config.dataDir);

  process.stdout.write(
    [
      '',
      'CommuneWatch demo đang chạy / demo is running',
      `  Mở trang / open:  ${server.url}/`,
      `  Đăng nhập / log in: ${login.username} / ${login.password}   (admin; stored in ${login.file})`,
      `  Metrics:          ${server.url}/metrics`,
      `  Data:             ${config.dataDir}`,
      `  Simulated vendor app (scripted faults: 503, hangs, wrong page, slow): ${vendor.url}`,
      gateway ? `  Default gateway probed: ${gateway}` : '  Default gateway: not probed',
      '  Kết quả đầu tiên xuất hiện trong vòng 15 giây / first results within 15 s. Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  onShutdown(async () => {
    await agent.stop();
    await server.close();
    await vendor.close();
  }, log);
}

/** Reuses the demo agent's token across runs (kept 0600 in the data dir) instead of piling up agents. */
function demoToken(store: Parameters<typeof verifyToken>[0], dataDir: string): string {
  const file = join(dataDir, 'demo-agent.token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (verifyToken(store, token)) return token;
  }
  const { token } = createAgentToken(store, { commune: DEMO_COMMUNE, name: 'demo-agent', now: Date.now() });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * The demo's admin login: created once with a random password kept 0600 in the data dir (no default
 * password exists anywhere), reused on later runs.
 */
async function demoLogin(
  store: Parameters<typeof verifyToken>[0],
  dataDir: string,
): Promise<{ username: string; password: string; file: string }> {
  const username = 'demo';
  const file = join(dataDir, 'demo-login.txt');
  const existing = store.users.byName(username);
  if (existing && existsSync(file)) return { username, password: readFileSync(file, 'utf8').trim(), file };
  const password = randomBytes(9).toString('base64url');
  const passwordHash = await hashPassword(password);
  if (existing) store.users.setPassword(existing.id, passwordHash);
  else store.users.create({ username, displayName: 'Demo', role: 'admin', passwordHash, now: Date.now() });
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return { username, password, file };
}
