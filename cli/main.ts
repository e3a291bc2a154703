#!/usr/bin/env node
/**
 * The `communewatch` command: server, agent, token and demo. Each subcommand lives in its own module;
 * this file only wires commander (errors and exit codes: ./program.ts).
 */
import { Command, InvalidArgumentError } from 'commander';
import { VERSION } from '../common/version.js';
import { AGENT_DESCRIPTION, runProgram, withAgentOptions } from './program.js';

// Each subcommand is imported only when it runs: the agent on an old commune PC must not load fastify,
// prom-client and the server's store just to probe (tens of MiB of RSS, and a slower start).
const runServerCommand = lazy(() => import('./server-command.js'), 'runServerCommand');
const runAgentCommand = lazy(() => import('./agent-command.js'), 'runAgentCommand');
const runTokenCreate = lazy(() => import('./token-command.js'), 'runTokenCreate');
const runTokenList = lazy(() => import('./token-command.js'), 'runTokenList');
const runTokenRevoke = lazy(() => import('./token-command.js'), 'runTokenRevoke');
const runDemo = lazy(() => import('./demo-command.js'), 'runDemo');

function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  return async (...args: M[K] extends (...a: infer A) => unknown ? A : never): Promise<void> => {
    const fn = (await load())[name] as (...a: unknown[]) => Promise<void>;
    await fn(...args);
  };
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer 0-65535');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

const program = new Command('communewatch')
  .description('CommuneWatch: uptime and fault localisation for commune offices\n(Giám sát mạng và dịch vụ công cho bộ phận một cửa cấp xã)')
  .version(VERSION)
  .showHelpAfterError();

program
  .command('server')
  .description('run the central server (ingest, metrics, status page) on an embedded SQLite file')
  .option('--config <file>', 'server YAML config')
  .option('--data <dir>', 'data directory holding communewatch.db (default ./data)')
  .option('--host <host>', 'address to listen on (default 0.0.0.0)')
  .option('--port <port>', 'port to listen on (default 8080; 0 = any free port)', port)
  .option('--check-config', 'validate the config and exit')
  .action(runServerCommand);

withAgentOptions(program.command('agent').description(AGENT_DESCRIPTION)).action(runAgentCommand);

const token = program.command('token').description('manage agent tokens');
token
  .command('create')
  .description("register a commune's agent and print its token (shown once; only a hash is stored)")
  .requiredOption('--commune <code>', 'commune code, e.g. 26734')
  .option('--name <text>', 'agent name (default agent-<commune>)')
  .option('--data <dir>', 'server data directory (default ./data)')
  .option('--config <file>', 'server YAML config (for its dataDir)')
  .action(runTokenCreate);
token
  .command('list')
  .description('list registered agents, their last push and state')
  .option('--data <dir>', 'server data directory (default ./data)')
  .option('--config <file>', 'server YAML config (for its dataDir)')
  .action(runTokenList);
token
  .command('revoke')
  .description("revoke an agent's token (e.g. a lost or replaced PC); its results are kept")
  .requiredOption('--id <n>', 'agent id, from `token list`', positiveInt)
  .option('--data <dir>', 'server data directory (default ./data)')
  .option('--config <file>', 'server YAML config (for its dataDir)')
  .action(runTokenRevoke);

program
  .command('demo')
  .description('server + one in-process agent probing local targets and a simulated vendor app with faults')
  .option('--data <dir>', 'data directory (default ./data)')
  .option('--port <port>', 'port for the server (default 8080)', port)
  .option('--host <host>', 'address to listen on (default 127.0.0.1)')
  .option('--no-gateway', 'do not probe the default gateway')
  .action(runDemo);

runProgram(program, 'communewatch');
