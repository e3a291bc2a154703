/**
 * What both executables share: the `agent` command's options, and how a finished command turns known
 * errors into clear messages and exit codes (2 = configuration problem, 1 = anything else).
 */
import type { Command } from 'commander';
import { ConfigError } from '../common/config-file.js';

export const AGENT_DESCRIPTION =
  'run the commune agent: probe targets, buffer results offline, push them to the server';

/** `--config` and `--check-config`, for `communewatch agent` and `communewatch-agent` alike. */
export function withAgentOptions(command: Command): Command {
  return command
    .requiredOption('--config <file>', 'agent YAML config')
    .option('--check-config', 'validate the config and exit');
}

export function runProgram(program: Command, name: string): void {
  program.parseAsync(process.argv).catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: ${(err as Error).message ?? String(err)}\n`);
    process.exit(1);
  });
}
