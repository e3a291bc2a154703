/** `communewatch token create`: registers an agent in the server's database and prints its token once. */
import { COMMUNE_PATTERN, NAME_PATTERN } from '../protocol/wire.js';
import { loadServerConfig } from '../server/config.js';
import { databaseFile } from '../server/main.js';
import { openSqliteStore } from '../server/store/sqlite-store.js';
import { createAgentToken } from '../server/auth/agent-tokens.js';

export async function runTokenCreate(flags: { commune: string; name?: string; data?: string; config?: string }): Promise<void> {
  if (!new RegExp(COMMUNE_PATTERN).test(flags.commune)) {
    throw new Error(`--commune "${flags.commune}" is not a valid commune code (letters, digits, - and _, up to 32)`);
  }
  const name = flags.name ?? `agent-${flags.commune}`;
  if (!new RegExp(NAME_PATTERN).test(name)) throw new Error(`--name "${name}" must match ${NAME_PATTERN}`);
  const config = loadServerConfig({ config: flags.config, data: flags.data });
  const store = openSqliteStore({ file: databaseFile(config.dataDir), dayOffsetMinutes: config.timezoneOffsetMinutes });
  try {
    const { agent, token } = createAgentToken(store, { commune: flags.commune, name, now: Date.now() });
    process.stderr.write(`Registered agent "${agent.name}" (id ${agent.id}) for commune ${agent.commune}.\n`);
    process.stderr.write('Store this token now; it is not shown again (only its hash is kept):\n');
    process.stdout.write(`${token}\n`);
  } finally {
    store.close();
  }
}
