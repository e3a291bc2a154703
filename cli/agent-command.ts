/** `communewatch agent`: load and check config, read the token, run until a signal. */
import pino from 'pino';
import { loadAgentConfig, readAgentToken } from '../agent/config.js';
import { Agent } from '../agent/agent.js';
import { onShutdown } from './shutdown.js';

export async function runAgentCommand(flags: { config: string; checkConfig?: boolean }): Promise<void> {
  const config = loadAgentConfig(flags.config);
  const token = readAgentToken(config);
  if (flags.checkConfig) {
    process.stdout.write(`config OK: ${flags.config} (${config.targets.length} targets, commune ${config.commune})\n`);
    return;
  }
  const log = pino({ level: config.log.level });
  const agent = new Agent({ config, token, log });
  agent.start();
  onShutdown(() => agent.stop(), log);
}
