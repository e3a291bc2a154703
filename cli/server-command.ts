/** `communewatch server`: load config, start, stop gracefully on a signal. */
import pino from 'pino';
import { loadServerConfig, type ServerFlags } from '../server/config.js';
import { startServer } from '../server/main.js';
import { onShutdown } from './shutdown.js';

export async function runServerCommand(flags: ServerFlags & { checkConfig?: boolean }): Promise<void> {
  const config = loadServerConfig(flags);
  if (flags.checkConfig) {
    process.stdout.write(`config OK${flags.config ? `: ${flags.config}` : ' (defaults)'}\n`);
    return;
  }
  const log = pino({ level: config.log.level });
  const server = await startServer(config, { log });
  process.stdout.write(`CommuneWatch server: ${server.url}/  (metrics: ${server.url}/metrics)\n`);
  onShutdown(server.close, log);
}
