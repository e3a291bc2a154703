#!/usr/bin/env -S node --max-semi-space-size=1 --optimize-for-size --single-threaded --lite-mode --no-expose-wasm
/**
 * `communewatch-agent`: the agent alone, for commune PCs. Same options and behaviour as `communewatch agent`,
 * but the build bundles this entry into one file (scripts/bundle-agent.mjs), which loads in a fraction of
 * the memory of the hundreds of separate modules behind it (docs/benchmarks.md). Installed agents run this.
 *
 * The V8 flags on the first line trade little CPU for a third of the memory (docs/benchmarks.md):
 * - --max-semi-space-size=1: a 1 MiB young generation instead of 16; the live heap is ~11 MiB, the rest only
 *   held garbage (−18 MiB RSS);
 * - --single-threaded: no V8 helper threads for GC and compilation, nor their malloc arenas (−5 MiB);
 * - --lite-mode (with --optimize-for-size): interpreter and baseline code only, no optimising compiler
 *   (−4 MiB of code pages); the agent runs a few probes a second, where optimised code gains nothing
 *   measurable; --no-expose-wasm silences V8's note that lite mode turns WebAssembly off (nothing here uses it).
 * `env -S` passes them on Linux; npm's Windows shim reads them too. A service wrapper that runs node.exe
 * directly must pass them itself (deploy/windows). The bench reads them from this line; a CLI test runs the
 * file as an executable, so a Node release that dropped one of them fails the tests, not a commune.
 */
import { Command } from 'commander';
import { VERSION } from '../common/version.js';
import { runAgentCommand } from './agent-command.js';
import { AGENT_DESCRIPTION, runProgram, withAgentOptions } from './program.js';

const program = withAgentOptions(
  new Command('communewatch-agent').description(AGENT_DESCRIPTION).version(VERSION).showHelpAfterError(),
).action(runAgentCommand);

runProgram(program, 'communewatch-agent');
