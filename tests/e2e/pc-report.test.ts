/**
 * Commune PC health and equipment, end to end: the agent CLI collects real samples from this machine
 * (systeminformation), queues them in its outbox, pushes them; the server stores them with history and
 * answers the equipment questions and /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { RunningServer } from '../../server/main.js';
import { registerAgent, startTestServer } from '../helpers/start-server.js';
import { startAgentProcess, writeAgentConfig, type AgentProcess } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { parsePromText } from '../helpers/prom-text.js';
import { unusedPort } from '../helpers/ports.js';

const COMMUNE = '08812';

// biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted field by field
const getJson = async (url: string, headers: Record<string, string> = {}): Promise<any> =>
  (await fetch(url, { headers })).json();

describe('PC health and inventory reports', () => {
  const dir = tempDir();
  let server: RunningServer;
  let agent: AgentProcess;

  let statusPort = 0;
  let viewer: Record<string, string> = {};

  beforeAll(async () => {
    statusPort = await unusedPort();
    server = await startTestServer(join(dir.path, 'server'));
    viewer = {
      authorization: `Bearer ${server.store.apiTokens.create({ name: 'leader', role: 'viewer', now: Date.now() }).token}`,
    };
    const token = registerAgent(server, COMMUNE, 'ubnd-xa');
    const configFile = join(dir.path, 'agent.yaml');
    writeAgentConfig(configFile, {
      commune: COMMUNE,
      server: { url: server.url },
      push: { idleSec: 0.2 },
      // A sample every 2 s; inventory every 3.6 s (the first within that), so the test sees both quickly.
      system: { healthIntervalSec: 2, inventoryIntervalHours: 0.001 },
      statusPage: { enabled: true, port: statusPort },
      targets: [
        {
          name: 'self',
          kind: 'tcp',
          service: 'network',
          host: '127.0.0.1',
          port: Number(new URL(server.url).port),
          intervalSec: 5,
          timeoutMs: 1000,
        },
      ],
    });
    agent = startAgentProcess(configFile, token);
  });
  afterAll(async () => {
    await agent?.stop();
    await server?.close();
    dir.remove();
  });

  it('stores health samples with history and serves the newest', async () => {
    const health = await waitFor(
      'two health samples',
      () => server.store.latestHealth(),
      (h) => h.length === 1,
      { timeoutMs: 30_000 },
    );
    const { sample } = health[0]!;
    expect(sample.memTotalBytes).toBeGreaterThan(0);
    expect(sample.disks.length).toBeGreaterThan(0);
    expect(sample.uptimeSec).toBeGreaterThan(0);
    const res = await getJson(`${server.url}/api/v1/health?commune=${COMMUNE}`, viewer);
    expect(res.agents[0]).toMatchObject({ commune: COMMUNE, agent: 'ubnd-xa' });
  });

  it('answers the equipment questions from the latest inventory', async () => {
    const inv = await waitFor(
      'an inventory',
      () => server.store.latestInventory(),
      (i) => i.length === 1,
      { timeoutMs: 30_000 },
    );
    const doc = inv[0]!.doc;
    expect(doc.memTotalBytes).toBeGreaterThan(0);
    expect(doc.counts).toMatchObject({
      smartcardReaders: expect.any(Number),
      scanners: expect.any(Number),
      printers: expect.any(Number),
    });
    const all = await getJson(`${server.url}/api/v1/inventory`, viewer);
    expect(all.agents).toHaveLength(1);
    // This test machine has no chip reader, so it is listed as lacking one; and it has more than 0.001 GB RAM.
    const lacking = await getJson(`${server.url}/api/v1/inventory?lacks=smartcard-reader`, viewer);
    expect(lacking.agents.map((a: { commune: string }) => a.commune)).toEqual(
      doc.counts.smartcardReaders === 0 ? [COMMUNE] : [],
    );
    const tiny = await getJson(`${server.url}/api/v1/inventory?maxRamGb=0.001`, viewer);
    expect(tiny.agents).toEqual([]);
    const bad = await fetch(`${server.url}/api/v1/inventory?lacks=fax`, { headers: viewer });
    expect(bad.status).toBe(400);
  });

  it('exposes PC gauges on /metrics', async () => {
    const s = parsePromText(await (await fetch(`${server.url}/metrics`)).text());
    const mine = (name: string) =>
      s.filter((x) => x.name === name && x.labels.commune === COMMUNE && x.labels.agent === 'ubnd-xa');
    expect(mine('communewatch_agent_memory_total_bytes')[0]!.value).toBeGreaterThan(0);
    expect(mine('communewatch_agent_disk_free_ratio').length).toBeGreaterThan(0);
    expect(
      mine('communewatch_agent_equipment')
        .map((x) => x.labels.kind)
        .sort(),
    ).toEqual(['printer', 'scanner', 'signing-token', 'smartcard-reader']);
    expect(mine('communewatch_agent_missing_results')[0]!.value).toBe(0);
  });

  it('serves the commune status page when enabled, with the outbox and the services', async () => {
    const url = `http://127.0.0.1:${statusPort}`;
    const json = await waitFor(
      'the status page',
      () => getJson(`${url}/status.json`).catch(() => undefined),
      (j) => j?.services?.length === 1,
      { timeoutMs: 20_000 },
    );
    expect(json).toMatchObject({ commune: COMMUNE, services: [{ result: { target: 'self', ok: true } }] });
    const html = await (await fetch(`${url}/`)).text();
    expect(html).toContain('Mọi dịch vụ hoạt động bình thường');
  });
});
