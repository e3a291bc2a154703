/** Starts a real server on 127.0.0.1 (port 0 by default) over a SQLite file in a temp dir. */
import pino from 'pino';
import { Value } from 'typebox/value';
import { ServerConfigSchema, type ServerConfig } from '../../server/config.js';
import { startServer, type RunningServer } from '../../server/main.js';
import { createAgentToken } from '../../server/auth/agent-tokens.js';

export function testServerConfig(dataDir: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const config = Value.Default(ServerConfigSchema, {}) as ServerConfig;
  return { ...config, host: '127.0.0.1', port: 0, dataDir, log: { level: 'silent' }, ...overrides };
}

export async function startTestServer(dataDir: string, overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  return startServer(testServerConfig(dataDir, overrides), { log: pino({ level: 'silent' }) });
}

export function registerAgent(server: RunningServer, commune: string, name = `agent-${commune}`): string {
  return createAgentToken(server.store, { commune, name, now: Date.now() }).token;
}
