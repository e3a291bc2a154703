/**
 * What benchmarks read about a process, the way anchors.md measured the peers: CPU from /proc/<pid>/stat
 * (utime+stime, and cutime+cstime for reaped children such as ping), memory from /proc/<pid>/status.
 * Also a small "run a command to completion" helper. Linux only, like the anchors.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

/** Clock ticks per second; 100 on every Linux this project runs on (getconf CLK_TCK). */
const CLK_TCK = 100;

export interface ProcSample {
  cpuSec: number;
  childCpuSec: number;
  rssMiB: number;
  hwmMiB: number;
  /** VmRSS split: private memory (heap, stacks) and pages of mapped files (the node binary, shared libraries). */
  anonMiB: number;
  fileMiB: number;
}

export function procSample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return {
    cpuSec: (Number(f[11]) + Number(f[12])) / CLK_TCK, // utime + stime (fields 14, 15)
    childCpuSec: (Number(f[13]) + Number(f[14])) / CLK_TCK, // cutime + cstime (16, 17): reaped children
    rssMiB: kb('VmRSS'),
    hwmMiB: kb('VmHWM'),
    anonMiB: kb('RssAnon'),
    fileMiB: kb('RssFile'),
  };
}

/** Runs a command to completion, collecting its output. */
export async function runCommand(
  file: string,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout: stdout.trim(), stderr };
}
