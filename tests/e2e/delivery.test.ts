/**
 * Exactly-once delivery across failures, on real processes: the server stopped while the agent keeps
 * probing (a partition), and the agent SIGKILLed after the server stored a batch but before the agent
 * saw the acknowledgement. The invariant checked each time: every sequence number the agent produced is
 * either stored on the server once or still pending in the agent's outbox — never both, never neither.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { RunningServer } from '../../server/main.js';
import { registerAgent, startTestServer } from '../helpers/start-server.js';
import { startAgentProcess, writeAgentConfig, type AgentProcess } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { readOutbox } from '../helpers/outbox-reader.js';
import { HoldProxy } from '../helpers/hold-proxy.js';
import { parsePromText } from '../helpers/prom-text.js';

const COMMUNE = '01234';

function storedSeqs(server: RunningServer): number[] {
  return server.store.listResults({ commune: COMMUNE, limit: 10_000 }).map((r) => r.seq);
}

function expectExactlyOnce(stored: number[], outboxFile: string): void {
  const { pendingSeqs, lastSeq } = readOutbox(outboxFile);
  expect(new Set(stored).size, 'no result stored twice').toBe(stored.length);
  const pending = new Set(pendingSeqs);
  expect(
    stored.filter((s) => pending.has(s)),
    'nothing both stored and pending',
  ).toEqual([]);
  const all = [...stored, ...pendingSeqs].sort((a, b) => a - b);
  expect(all, 'every produced result accounted for').toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
}

describe('delivery survives failures exactly once', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function setup(serverUrlFor: (server: RunningServer) => Promise<string>) {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const listener: Server = createServer((s) => s.end());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => listener.close(() => r())));
    const server = await startTestServer(join(dir.path, 'server'));
    const token = registerAgent(server, COMMUNE);
    const configFile = join(dir.path, 'agent.yaml');
    writeAgentConfig(configFile, {
      commune: COMMUNE,
      server: { url: await serverUrlFor(server), timeoutMs: 5000 },
      push: { idleSec: 0.2, minBackoffSec: 0.2, maxBackoffSec: 1, batchSize: 4 },
      targets: [
        {
          name: 'tcp-a',
          kind: 'tcp',
          service: 'network',
          host: '127.0.0.1',
          port: (listener.address() as { port: number }).port,
          intervalSec: 1,
          timeoutMs: 500,
        },
        {
          name: 'tcp-b',
          kind: 'tcp',
          service: 'portal',
          host: '127.0.0.1',
          port: (listener.address() as { port: number }).port,
          intervalSec: 1,
          timeoutMs: 500,
        },
      ],
    });
    return { dir, server, token, configFile, outboxFile: join(dir.path, 'agent-data', 'outbox.db') };
  }

  it('partition: server down while the agent probes, then back — all results arrive once, with agent timestamps', async () => {
    let { server, token, configFile, outboxFile, dir } = await setup(async (s) => s.url);
    const port = Number(new URL(server.url).port);
    const agent: AgentProcess = startAgentProcess(configFile, token);
    cleanups.push(async () => {
      await agent.stop('SIGKILL');
      await server.close();
    });

    await waitFor(
      'first results stored',
      () => storedSeqs(server).length,
      (n) => n >= 4,
    );
    await server.close();
    const downAt = Date.now();
    const before = readOutbox(outboxFile).lastSeq;
    // The agent keeps probing into its outbox while the server is unreachable.
    await waitFor(
      'results queued during the outage',
      () => readOutbox(outboxFile).lastSeq,
      (n) => n >= before + 6,
    );
    const lastSeqBeforeRestart = readOutbox(outboxFile).lastSeq;

    server = await startTestServer(join(dir.path, 'server'), { port });
    const upAt = Date.now();
    await waitFor(
      'outage results delivered',
      () => Math.max(0, ...storedSeqs(server)),
      (n) => n >= lastSeqBeforeRestart,
      { timeoutMs: 30_000 },
    );
    expect(await agent.stop('SIGTERM')).toBe(0);

    expectExactlyOnce(storedSeqs(server), outboxFile);
    const duringOutage = server.store.listResults({ commune: COMMUNE, from: downAt, to: upAt, limit: 10_000 });
    expect(duringOutage.length).toBeGreaterThanOrEqual(4);
    for (const r of duringOutage) {
      expect(r.receivedAt).toBeGreaterThanOrEqual(upAt);
      expect(r.ts).toBe(r.agentTs); // agent clock = server clock here: no correction, the agent's own time kept
    }
  });

  it('agent SIGKILLed after the server stored a batch but before the ack — the resent batch is not stored twice', async () => {
    let proxy!: HoldProxy;
    const { server, token, configFile, outboxFile } = await setup(async (s) => {
      proxy = new HoldProxy(s.url);
      return proxy.listen();
    });
    let agent = startAgentProcess(configFile, token);
    cleanups.push(async () => {
      await agent.stop('SIGKILL');
      await proxy.close();
      await server.close();
    });

    await waitFor(
      'first results stored',
      () => storedSeqs(server).length,
      (n) => n >= 4,
    );
    proxy.mode = 'hold';
    const held = proxy.nextHeld();
    expect(await held).toBe(200); // stored on the server; the agent never hears of it
    const storedAtKill = storedSeqs(server).length;
    expect(await agent.stop('SIGKILL')).toBe(null);
    const pendingAtKill = readOutbox(outboxFile).pendingSeqs;
    const overlap = storedSeqs(server).filter((s) => pendingAtKill.includes(s));
    expect(overlap.length, 'the killed batch is both stored and still in the outbox').toBeGreaterThan(0);

    proxy.mode = 'pass';
    agent = startAgentProcess(configFile, token);
    const replays = async () => {
      const s = parsePromText(await (await fetch(`${server.url}/metrics`)).text());
      return (
        s.find((x) => x.name === 'communewatch_ingest_requests_total' && x.labels.outcome === 'replay')?.value ?? 0
      );
    };
    await waitFor('the unacknowledged batch resent and acknowledged as a replay', replays, (n) => n >= 1);
    await waitFor(
      'more results after the restart',
      () => storedSeqs(server).length,
      (n) => n >= storedAtKill + 4,
    );
    expect(await agent.stop('SIGTERM')).toBe(0);
    expectExactlyOnce(storedSeqs(server), outboxFile);
  });
});
