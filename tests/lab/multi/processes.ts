/**
 * Child processes of the multi-commune lab, each started inside a namespace with `ip netns exec` (which
 * execs, so the child's pid is the program's own and a signal reaches it): the built server CLI, the
 * bundled agent, the data centre's services, the lab helpers (dc-aux.ts) and the bulk download.
 * Output goes to a log file per process; every process is registered with cleanupAll (SIGKILL).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './topology.js';

export const CLI = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
export const AGENT_BIN = fileURLToPath(new URL('../../../dist/communewatch-agent.mjs', import.meta.url));
export const DC_SERVICES = fileURLToPath(new URL('../dc-services.ts', import.meta.url));
export const DC_AUX = fileURLToPath(new URL('./dc-aux.ts', import.meta.url));

export interface LabProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string | null>;
  running(): boolean;
  /** Sends `signal` and waits (bounded) for the exit; escalates to SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  /** The log's last `chars` characters, for failure messages. */
  tail(chars?: number): string;
}

export function spawnInNs(
  name: string,
  ns: string,
  args: string[],
  logFile: string,
  env: Record<string, string> = {},
  stdin: 'pipe' | 'ignore' = 'ignore',
): LabProcess {
  const child = spawn('ip', ['netns', 'exec', ns, ...args], {
    env: { ...process.env, ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stderr!.pipe(log, { end: false });
  // stdout stays readable for "ready" lines; it is copied to the log as well.
  child.stdout!.on('data', (d: Buffer) => log.write(d));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => {
      log.end();
      resolve(code ?? signal);
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const unregister = onCleanup(() => {
    if (running()) child.kill('SIGKILL');
  });
  void exited.then(unregister);
  return {
    name,
    child,
    logFile,
    exited,
    running,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      if (!running()) return;
      child.kill(signal);
      const timer = setTimeout(() => running() && child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    tail(chars = 3000) {
      try {
        return readFileSync(logFile, 'utf8').slice(-chars);
      } catch {
        return '';
      }
    },
  };
}

/** Resolves when the process prints a line containing `word`; rejects on exit or after `timeoutMs`. */
export function waitForLine(p: LabProcess, word: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(word)) done();
    };
    const timer = setTimeout(
      () => done(new Error(`${p.name}: no "${word}" within ${timeoutMs} ms\n${p.tail()}`)),
      timeoutMs,
    );
    const onExit = () => done(new Error(`${p.name} exited before printing "${word}"\n${p.tail()}`));
    function done(err?: Error) {
      clearTimeout(timer);
      p.child.stdout!.off('data', onData);
      p.child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    }
    p.child.stdout!.on('data', onData);
    p.child.once('exit', onExit);
  });
}

/** Runs the built CLI in the test's own namespace (no network): tokens and API keys. Returns stdout. */
export function cli(args: string[]): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build first`);
  return execFileSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  }).trim();
}

/** A bulk download inside a commune namespace that reconnects until stopped: the congestion load. */
export function bulkDownload(ns: string, host: string, port: number, logFile: string): LabProcess {
  const script = `
    const net = require('node:net');
    const go = () => {
      const s = net.connect(${port}, ${JSON.stringify(host)});
      s.on('data', () => {});
      s.on('error', () => {});
      s.on('close', () => setTimeout(go, 200));
    };
    go();`;
  return spawnInNs(`bulk ${ns}`, ns, [process.execPath, '-e', script], logFile);
}
