/**
 * What both executables share: the `agent` command's options, and how a finished command turns known
 * errors into clear messages and exit codes (2 = configuration problem, 1 = anything else, or a command's own
 * code through ExitError).
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

/**
 * Ends a command with its own exit code and message, where the code itself means something to scripts —
 * e.g. `report verify`'s 2: the bundle is intact but nothing was authenticated.
 */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

/** Parses the arguments and runs the command; a thrown error becomes a message on stderr and an exit code. */
export function runProgram(program: Command, name: string): void {
  program.parseAsync(process.argv).catch((err: unknown) => {
    if (err instanceof ExitError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: ${(err as Error).message ?? String(err)}\n`);
    process.exit(1);
  });
}
