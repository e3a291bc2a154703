/**
 * Ingest throughput of the real server process over HTTP (the path agents use): POST /api/v1/ingest with
 * gzip batches, N concurrent senders, for a fixed time per scenario. Prints requests/s, results/s,
 * latency percentiles, server CPU per 1,000 results and peak RSS, next to the Uptime Kuma push-ingest
 * anchor measured on this machine kind (../shared/reference/anchors.md).
 *
 * Run: npm run bench:ingest  [-- --seconds 10 --concurrency 10]
 * Bounded: every scenario stops after --seconds; all traffic stays on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import type { ProbeResult } from '../protocol/wire.js';
import { procSample, runCommand } from './lib/proc.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '10' } },
});
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function makeResults(n: number, seqStart: number): ProbeResult[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    seq: seqStart + i,
    ts: now - (n - i) * 10,
    target: `target-${(seqStart + i) % 50}`,
    kind: 'http',
    service: 'one-stop-shop',
    ok: i % 13 !== 0,
    durationMs: 120,
    latencyMs: 110,
    http: {
      statusCode: 200,
      phases: {
        resolveMs: 1,
        connectMs: 4,
        tlsMs: 18,
        processingMs: 80,
        transferMs: 7,
        firstByteMs: 103,
        totalMs: 110,
      },
    },
  }));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function scenario(url: string, token: string, pid: number, batchSize: number, seqBase: { n: number }) {
  const latencies: number[] = [];
  let requests = 0;
  let results = 0;
  let failures = 0;
  const cpu0 = procSample(pid).cpuSec;
  const deadline = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const body = gzipSync(
        JSON.stringify({
          v: 1,
          batchId: randomUUID(),
          commune: 'BENCH',
          sentAt: Date.now(),
          results: makeResults(batchSize, seqBase.n),
        }),
      );
      seqBase.n += batchSize;
      const t0 = performance.now();
      const res = await fetch(`${url}/api/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body,
      });
      const ack = (await res.json()) as { stored?: number };
      latencies.push(performance.now() - t0);
      if (res.status === 200) {
        requests++;
        results += ack.stored ?? 0;
      } else failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = procSample(pid).cpuSec - cpu0;
  latencies.sort((a, b) => a - b);
  return {
    batchSize,
    reqPerSec: requests / elapsed,
    resultsPerSec: results / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerResult: (cpu * 1000) / Math.max(1, results),
    cpuCores: cpu / elapsed,
    failures,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-'));
  const server = spawn(process.execPath, [CLI, 'server', '--data', dir, '--host', '127.0.0.1', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env },
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /server: (http:\/\/[^/\s]+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const token = (await runCommand(process.execPath, [CLI, 'token', 'create', '--commune', 'BENCH', '--data', dir]))
      .stdout;
    const seqBase = { n: 1 };
    const rows = [];
    for (const batchSize of [1, 50, 500]) rows.push(await scenario(url, token, server.pid!, batchSize, seqBase));
    const rss = procSample(server.pid!).hwmMiB;

    console.log(
      `\nIngest over HTTP, ${CONCURRENCY} concurrent senders, ${SECONDS} s per row, gzip, one server process (Node ${process.version})`,
    );
    console.log(
      '| system | results per request | requests/s | results/s | p50 ms | p99 ms | ' +
        'server CPU ms per result | server cores busy | failures |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(
        `| CommuneWatch | ${r.batchSize} | ${r.reqPerSec.toFixed(0)} | ${r.resultsPerSec.toFixed(0)} | ` +
          `${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.cpuMsPerResult.toFixed(3)} | ${r.cpuCores.toFixed(2)} | ${r.failures} |`,
      );
    }
    console.log(
      '| Uptime Kuma 2.5.3 push (anchor, c=10, not this run) | 1 | 238.5 | 238.5 | 41 | 78 | 3.8 | 0.94 | 0 |',
    );
    console.log(`\nServer peak RSS: ${rss.toFixed(1)} MiB (Uptime Kuma anchor: 204 MiB at c=10).`);
    console.log(
      'The Uptime Kuma row is from ../shared/reference/anchors.md (same machine kind, 2026-11-25); it could not be re-run here.',
    );
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
