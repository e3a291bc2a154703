/** `communewatch token create`: registers an agent in the server's database and prints its token once. */
import { COMMUNE_PATTERN, NAME_PATTERN } from '../protocol/wire.js';
import { createAgentToken } from '../server/auth/agent-tokens.js';
import { iso, printTable, withStore, type StoreFlags } from './store-access.js';

export async function runTokenCreate(flags: { commune: string; name?: string } & StoreFlags): Promise<void> {
  if (!new RegExp(COMMUNE_PATTERN).test(flags.commune)) {
    throw new Error(`--commune "${flags.commune}" is not a valid commune code (letters, digits, - and _, up to 32)`);
  }
  const name = flags.name ?? `agent-${flags.commune}`;
  if (!new RegExp(NAME_PATTERN).test(name)) throw new Error(`--name "${name}" must match ${NAME_PATTERN}`);
  withStore(flags, (store) => {
    const { agent, token } = createAgentToken(store, { commune: flags.commune, name, now: Date.now() });
    process.stderr.write(`Registered agent "${agent.name}" (id ${agent.id}) for commune ${agent.commune}.\n`);
    process.stderr.write('Store this token now; it is not shown again (only its hash is kept):\n');
    process.stdout.write(`${token}\n`);
  });
}

/** `token list`: every registered agent, with when it last pushed and whether it is revoked. */
export async function runTokenList(flags: StoreFlags): Promise<void> {
  withStore(flags, (store) => {
    const rows = store.listAgents();
    const lines = rows.map((a) => [
      String(a.id),
      a.commune,
      a.name,
      iso(a.createdAt),
      iso(a.lastPushAt),
      a.revokedAt === null ? 'active' : `revoked ${iso(a.revokedAt)}`,
    ]);
    printTable(['id', 'commune', 'name', 'created', 'last push', 'state'], lines);
  });
}

/** `token revoke --id N`: the agent's pushes are refused from now on; its stored results stay. */
export async function runTokenRevoke(flags: { id: number } & StoreFlags): Promise<void> {
  withStore(flags, (store) => {
    if (!store.revokeAgent(flags.id, Date.now()))
      throw new Error(`no active agent with id ${flags.id} (see: communewatch token list)`);
    process.stdout.write(`Revoked the token of agent ${flags.id}; its pushes are refused from now on.\n`);
  });
}
