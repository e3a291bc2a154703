/**
 * The agent side of central configuration, against a real server on port 0 (and, for plans the real
 * server would never send, a small HTTP server the test controls): the plan is fetched, cached on disk
 * with its ETag, merged with the local targets (local wins by name), kept through a restart while the
 * server is down, rejected with its reasons when invalid, and applied only when it changed. Last, the
 * agent CLI itself starts on the cached plan with the server down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PathConfig } from '../../protocol/plan.js';
import pino from 'pino';
import { buildApp, type App } from '../../server/app.js';
import { openSqliteStore } from '../../server/store/sqlite-store.js';
import type { Store } from '../../server/store/store.js';
import { createAgentToken } from '../../server/auth/agent-tokens.js';
import { CatalogueSource } from '../../server/plan/catalogue-source.js';
import { loadAgentConfig, type AgentConfig } from '../../agent/config.js';
import { RemotePlan, type MergedPlan } from '../../agent/remote-plan.js';
import { ConfigError } from '../../common/config-file.js';
import { tempDir } from '../helpers/temp-dir.js';
import { testServerConfig } from '../helpers/start-server.js';
import { startAgentProcess, writeAgentConfig } from '../helpers/agent-process.js';
import { waitFor } from '../helpers/wait.js';
import { CATALOGUE } from '../server/plan/catalogue-text.js';
import { unusedPort } from '../helpers/ports.js';

type LogLine = { level: number; msg: string; [k: string]: unknown };

function capture(): { log: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, log: pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) }) };
}

describe('remote probe plan', () => {
  const dir = tempDir();
  const catalogueFile = join(dir.path, 'catalogue.yaml');
  const configFile = join(dir.path, 'agent.yaml');
  let store: Store;
  let built: App;
  let url: string;
  let token: string;
  let config: AgentConfig;
  const applied: MergedPlan[] = [];
  const pathsApplied: PathConfig[] = [];
  let first: { plan: RemotePlan; lines: LogLine[] };

  const remotePlan = (over: Partial<AgentConfig> = {}) => {
    const { log, lines } = capture();
    const plan = new RemotePlan({
      config: { ...config, ...over },
      token,
      log,
      localPath: false,
      apply: async (m) => void applied.push(m),
      applyPath: (p) => void pathsApplied.push(p),
    });
    return { plan, lines };
  };

  beforeAll(async () => {
    writeFileSync(catalogueFile, CATALOGUE);
    store = openSqliteStore({ file: join(dir.path, 'cw.db') });
    const plans = new CatalogueSource({ file: catalogueFile, log: pino({ level: 'silent' }), checkEveryMs: 0 });
    built = await buildApp({ store, config: testServerConfig(dir.path), plans });
    url = await built.app.listen({ host: '127.0.0.1', port: 0 });
    token = createAgentToken(store, { commune: '26734', name: 'agent-a', now: Date.now() }).token;
    writeAgentConfig(configFile, {
      commune: '26734',
      server: { url, timeoutMs: 2000 },
      dataDir: 'agent-data',
      plan: { enabled: true },
      targets: [
        // Same name as a catalogue endpoint: this one must win.
        { name: 'hotich-moj', kind: 'tcp', service: 'civil-status', host: '127.0.0.1', port: 9, intervalSec: 120 },
        { name: 'gateway', kind: 'icmp', service: 'network', host: '127.0.0.1' },
      ],
    });
    config = loadAgentConfig(configFile);
  });
  afterAll(async () => {
    await built.app.close();
    store.close();
    dir.remove();
  });

  it('config: targets may be absent only when the plan comes from the server', () => {
    const file = join(dir.path, 'no-targets.yaml');
    writeFileSync(file, `commune: "26734"\nserver: { url: "${url}" }\nplan: { enabled: true }\n`);
    expect(loadAgentConfig(file)).toMatchObject({ targets: [], plan: { enabled: true, refreshSec: 300 } });
    writeFileSync(file, `commune: "26734"\nserver: { url: "${url}" }\ntargets: []\n`);
    expect(() => loadAgentConfig(file)).toThrow(ConfigError);
    expect(() => loadAgentConfig(file)).toThrow(
      'targets (line 3): at least one target is required unless plan.enabled is true',
    );
  });

  it('starts on the local targets before any plan, then fetches, caches and merges it (local wins by name)', async () => {
    first = remotePlan();
    const initial = first.plan.loadCache();
    expect(initial.targets.map((t) => t.name)).toEqual(['hotich-moj', 'gateway']);
    expect(initial.version).toBeNull();

    expect(await first.plan.refresh()).toBe('updated');
    expect(applied).toHaveLength(1);
    const merged = applied[0]!;
    expect(merged.targets.map((t) => t.name)).toEqual(['dvcqg', 'dvcqg-sso', 'hotich-moj', 'motcua-tinh', 'gateway']);
    expect(merged.targets[2]).toMatchObject({ kind: 'tcp', params: { host: '127.0.0.1', port: 9 }, intervalSec: 120 });
    expect(merged.targets[0]).toMatchObject({
      kind: 'http',
      service: 'portal',
      intervalSec: 300,
      timeoutMs: 20000,
      params: { url: 'https://dichvucong.gov.vn/' },
    });
    expect(merged.path).toMatchObject({ datacentre: '10.10.0.1:443', uplink: '10.0.0.1', gateway: 'auto' });

    const cached = JSON.parse(readFileSync(join(config.dataDir, 'plan.json'), 'utf8'));
    expect(cached.etag).toBe(`"${merged.version}"`);
    expect(cached.plan.version).toBe(merged.version);
    expect(readdirSync(config.dataDir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('asks with If-None-Match and changes nothing on 304', async () => {
    expect(await first.plan.refresh()).toBe('unchanged');
    expect(applied).toHaveLength(1);
  });

  it('replaces targets only when the merged plan changed', async () => {
    // Only the endpoint the local file overrides changes: a new plan, the same merged targets.
    writeFileSync(
      catalogueFile,
      CATALOGUE.replace(
        'hotich-moj: { link: tslcd, intervalSec: 600 }',
        'hotich-moj: { link: tslcd, intervalSec: 1200 }',
      ),
    );
    expect(await first.plan.refresh()).toBe('updated');
    expect(applied).toHaveLength(1);
    expect(first.lines.some((l) => l.msg === 'probe plan unchanged after merging the local targets')).toBe(true);

    writeFileSync(catalogueFile, CATALOGUE.replace('timeoutMs: 20000', 'timeoutMs: 25000'));
    expect(await first.plan.refresh()).toBe('updated');
    expect(applied).toHaveLength(2);
    expect(applied[1]!.targets[0]!.timeoutMs).toBe(25000);
  });

  it('switches the path hops when the plan changes them, without touching the targets', async () => {
    const before = applied.length;
    writeFileSync(
      catalogueFile,
      CATALOGUE.replace('timeoutMs: 20000', 'timeoutMs: 25000').replace(
        'path: { uplink: "10.0.0.1" }',
        'path: { uplink: "10.0.0.2" }',
      ),
    );
    expect(await first.plan.refresh()).toBe('updated');
    expect(applied).toHaveLength(before);
    expect(pathsApplied.at(-1)).toMatchObject({ uplink: '10.0.0.2', datacentre: '10.10.0.1:443' });
    // And back, leaving the cached plan as the next test expects it.
    writeFileSync(catalogueFile, CATALOGUE.replace('timeoutMs: 20000', 'timeoutMs: 25000'));
    expect(await first.plan.refresh()).toBe('updated');
    expect(pathsApplied.at(-1)).toMatchObject({ uplink: '10.0.0.1' });
  });

  it('after a restart with the server down, runs the cached plan', async () => {
    const down = remotePlan({ server: { ...config.server, url: `http://127.0.0.1:${await unusedPort()}/` } });
    const initial = down.plan.loadCache();
    expect(initial.targets).toEqual(applied[1]!.targets);
    expect(initial.version).toBe(applied[1]!.version);
    expect(await down.plan.refresh()).toBe('failed');
    expect(await down.plan.refresh()).toBe('failed');
    expect(applied).toHaveLength(2);
    const warnings = down.lines.filter((l) => l.msg === 'could not check the probe plan; keeping the current one');
    // Loud once per outage, then quiet: a commune may be cut off for days.
    expect(warnings.map((l) => l.level)).toEqual([40, 20]);
    expect(down.plan.status()).toMatchObject({
      version: initial.version,
      lastError: expect.stringMatching(/^server unreachable: .*ECONNREFUSED/),
    });
  });

  describe('a plan the agent must refuse', () => {
    let fake: Server;
    let reply: { status: number; body: string } = { status: 200, body: '{}' };
    beforeAll(async () => {
      fake = createServer((_req, res) =>
        res.writeHead(reply.status, { 'content-type': 'application/json', etag: '"bad"' }).end(reply.body),
      );
      fake.listen(0, '127.0.0.1');
      await once(fake, 'listening');
    });
    afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));

    const good = () => JSON.parse(readFileSync(join(config.dataDir, 'plan.json'), 'utf8')).plan;
    const cases: Array<[string, () => unknown, string]> = [
      [
        'a target the probe schema refuses',
        () => ({ ...good(), version: 'v-bad-url', targets: [{ ...good().targets[0], url: 'dichvucong.gov.vn' }] }),
        'targets[0].url: must match pattern',
      ],
      [
        'an unknown kind',
        () => ({ ...good(), version: 'v-bad-kind', targets: [{ name: 'x', kind: 'smtp', service: 'portal' }] }),
        'targets[0].kind: must be one of',
      ],
      [
        'a credentials source',
        () => ({
          ...good(),
          version: 'v-creds',
          targets: [
            {
              name: 'x',
              kind: 'transaction',
              service: 'portal',
              steps: [{ name: 's', url: 'https://a.vn/' }],
              credentials: { file: '/etc/shadow' },
            },
          ],
        }),
        'targets[0].credentials: not accepted from the server',
      ],
      [
        "another commune's plan",
        () => ({ ...good(), commune: '10001' }),
        'commune: the plan is for commune 10001, this agent reports for 26734',
      ],
      ['a newer plan format', () => ({ ...good(), v: 2 }), 'v: plan format 2 is newer than this agent understands (1)'],
      ['not JSON', () => '<html>proxy error</html>', 'the body is not JSON'],
      ['a body larger than any plan', () => ' '.repeat(5 * 1024 * 1024), 'the body is larger than a plan can be'],
    ];

    for (const [what, body, reason] of cases) {
      it(`rejects ${what}, says why, and keeps the last good plan`, async () => {
        const before = readFileSync(join(config.dataDir, 'plan.json'), 'utf8');
        const { plan, lines } = remotePlan({
          server: { ...config.server, url: `http://127.0.0.1:${(fake.address() as { port: number }).port}` },
        });
        const kept = plan.loadCache();
        const b = body();
        reply = { status: 200, body: typeof b === 'string' ? b : JSON.stringify(b) };
        expect(await plan.refresh()).toBe('rejected');
        const error = lines.find((l) => l.msg === 'probe plan from the server rejected; keeping the last good plan');
        expect(error?.level).toBe(50);
        expect(
          (error!.reasons as string[]).some((r) => r.startsWith(reason)),
          JSON.stringify(error?.reasons),
        ).toBe(true);
        expect(plan.merged()).toEqual(kept);
        expect(readFileSync(join(config.dataDir, 'plan.json'), 'utf8')).toBe(before);
        expect(applied).toHaveLength(2);
      });
    }
  });

  it('ignores a corrupt cache, saying so, and starts on the local targets', () => {
    const other = join(dir.path, 'corrupt');
    const { plan, lines } = remotePlan({ dataDir: other });
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'plan.json'), '{"etag": "\\"x\\"", "plan": {"v": 1');
    expect(plan.loadCache().targets.map((t) => t.name)).toEqual(['hotich-moj', 'gateway']);
    expect(lines.some((l) => l.msg === 'cached probe plan ignored' && l.level === 40)).toBe(true);
  });

  it('the agent CLI starts on the cached plan while the server is down, and stops cleanly', async () => {
    // Plan-only agent: no local targets, the server unreachable, only the cache from the tests above. Its own
    // `path:` wins over the plan's (and keeps this test from probing the plan's 10.x hops).
    const file = join(dir.path, 'cli-agent.yaml');
    const server = { url: `http://127.0.0.1:${await unusedPort()}/`, timeoutMs: 1000 };
    writeAgentConfig(file, {
      commune: '26734',
      server,
      dataDir: config.dataDir,
      plan: { enabled: true },
      path: { gateway: 'none' },
      log: { level: 'debug' },
    });
    expect(existsSync(join(config.dataDir, 'plan.json'))).toBe(true);
    const agent = startAgentProcess(file, token);
    try {
      const out = await waitFor('the agent to start on the cached plan', agent.output, (o) =>
        o.includes('"agent started"'),
      );
      const started = out
        .split('\n')
        .filter((l) => l.includes('"agent started"'))
        .map((l) => JSON.parse(l))[0];
      expect(started.targets).toBe(4);
      expect(out).toContain('using the cached probe plan');
      expect(out).not.toContain('path-uplink');
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  });

  it('the agent CLI without a cache starts at once, then fetches the plan and switches to it', async () => {
    // Only the local listener, so nothing outside this machine is probed.
    const port = Number(new URL(url).port);
    writeFileSync(
      catalogueFile,
      'services:\n' +
        `  - { id: self, service: monitoring, name: Self, endpoints: [{ name: self, kind: tcp, host: 127.0.0.1, port: ${port} }] }\n` +
        'all: [self]\n',
    );
    const file = join(dir.path, 'cli-fresh.yaml');
    const dataDir = join(dir.path, 'fresh');
    writeAgentConfig(file, {
      commune: '26734',
      server: { url, timeoutMs: 2000 },
      dataDir,
      plan: { enabled: true },
      path: { gateway: 'none' },
    });
    const agent = startAgentProcess(file, token);
    try {
      const out = await waitFor('the plan to be applied', agent.output, (o) => o.includes('"probe plan replaced"'));
      const lines = out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LogLine);
      expect(lines.find((l) => l.msg === 'agent started')?.targets).toBe(0);
      expect(lines.find((l) => l.msg === 'probe plan replaced')?.targets).toBe(1);
      expect(JSON.parse(readFileSync(join(dataDir, 'plan.json'), 'utf8')).plan.targets[0].name).toBe('self');
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  });
});
