/**
 * Runs the real agent as a child process, as it runs at a commune: the bundled `communewatch-agent`
 * executable that installs use (dist/communewatch-agent.mjs). The build must exist: `npm test` builds first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/** The agent executable, bundled by scripts/bundle-agent.mjs; takes the options of `communewatch agent`. */
export const AGENT_BIN = fileURLToPath(new URL('../../dist/communewatch-agent.mjs', import.meta.url));

export interface AgentProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Writes an agent config for a test. Unless the test says otherwise, the agent never probes this
 * machine's real gateway (path.gateway none: traffic stays on loopback and our own namespaces) and takes
 * no PC reports (they have their own test and would add records to exactly-once counts).
 */
export function writeAgentConfig(file: string, config: Record<string, unknown>): void {
  writeFileSync(
    file,
    stringify({ path: { gateway: 'none' }, system: { healthIntervalSec: 0, inventoryIntervalHours: 0 }, ...config }),
  );
}

export function startAgentProcess(
  configFile: string,
  token: string,
  extraEnv: Record<string, string> = {},
): AgentProcess {
  if (!existsSync(AGENT_BIN)) throw new Error(`${AGENT_BIN} missing: run npm run build first`);
  const child = spawn(process.execPath, [AGENT_BIN, '--config', configFile], {
    env: { ...process.env, COMMUNEWATCH_AGENT_TOKEN: token, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  bin = CLI,
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (stdin !== undefined) child.stdin!.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}
