#!/usr/bin/env -S node --max-semi-space-size=1 --optimize-for-size
/**
 * `communewatch-agent`: the agent alone, for commune PCs. Same options and behaviour as `communewatch agent`,
 * but the build bundles this entry into one file (scripts/bundle-agent.mjs), which loads in a fraction of
 * the memory of the hundreds of separate modules behind it (docs/benchmarks.md). Installed agents run this.
 *
 * The V8 flags on the first line trade nothing measurable for memory: a 1 MiB young generation instead of
 * 16 MiB (the agent's live heap is ~11 MiB; short-lived garbage is collected sooner) saves ~18 MiB of RSS,
 * and --optimize-for-size ~3 MiB more, at the same CPU per probe. `env -S` passes them on Linux; npm's
 * Windows shim reads them too. A service wrapper that runs node.exe directly must pass them itself
 * (deploy/windows). AGENT_NODE_FLAGS in bench/ reads them from here.
 */
import { Command } from 'commander';
import { VERSION } from '../common/version.js';
import { runAgentCommand } from './agent-command.js';
import { AGENT_DESCRIPTION, runProgram, withAgentOptions } from './program.js';

const program = withAgentOptions(new Command('communewatch-agent').description(AGENT_DESCRIPTION).version(VERSION).showHelpAfterError()).action(runAgentCommand);

runProgram(program, 'communewatch-agent');
