/**
 * How a benchmark starts the agent as an install runs it: the bundled `communewatch-agent` with the V8
 * flags of its first line (node does not read them when it is given the file), or `communewatch agent`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** `--a --b` from a first line `#!/usr/bin/env -S node --a --b`, or '' if the file has no such line. */
export function shebangNodeFlags(file: string): string {
  const first = readFileSync(file, 'utf8').slice(0, 300).split('\n', 1)[0]!;
  return /^#!\/usr\/bin\/env -S node (.*)$/.exec(first)?.[1]?.trim() ?? '';
}

/**
 * node arguments before the agent's own: `exec` is the bundle's path, or 'cli' for `<cli> agent`;
 * `nodeArgs` overrides the flags the bundle asks for.
 */
export function agentCommand(
  exec: string,
  cli: string,
  nodeArgs: string | undefined,
): { nodeArgs: string[]; argv: string[] } {
  const argv = exec === 'cli' ? [cli, 'agent'] : [resolve(exec)];
  const flags = nodeArgs ?? (exec === 'cli' ? '' : shebangNodeFlags(argv[0]!));
  return { nodeArgs: flags.split(' ').filter(Boolean), argv };
}
