/** `communewatch server`: load config, start, stop gracefully on a signal. */
import pino from 'pino';
import { loadServerConfig, type ServerFlags } from '../server/config.js';
import { startServer } from '../server/main.js';
import { loadCatalogue } from '../server/plan/catalogue.js';
import { loadUnits } from '../server/org/units.js';
import { onShutdown } from './shutdown.js';

export async function runServerCommand(flags: ServerFlags & { checkConfig?: boolean }): Promise<void> {
  const config = loadServerConfig(flags);
  // The catalogue and units files are part of the configuration: a bad one must fail --check-config, not the next start.
  if (config.catalogue) loadCatalogue(config.catalogue);
  if (config.units) loadUnits(config.units);
  if (flags.checkConfig) {
    process.stdout.write(`config OK${flags.config ? `: ${flags.config}` : ' (defaults)'}\n`);
    return;
  }
  const log = pino({ level: config.log.level });
  const server = await startServer(config, { log });
  process.stdout.write(`CommuneWatch server: ${server.url}/  (metrics: ${server.url}/metrics)\n`);
  onShutdown(server.close, log);
}
