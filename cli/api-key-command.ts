/** `communewatch api-key create|list|revoke`: API keys for people and systems, with a role. */
import { checkRole, parseServiceList } from '../server/auth/role-input.js';
import { iso, printTable, withStore, type StoreFlags } from './store-access.js';

export async function runApiKeyCreate(
  flags: { name: string; role: string; services?: string } & StoreFlags,
): Promise<void> {
  const { role, services } = checkRole(flags.role, parseServiceList(flags.services), {
    role: '--role',
    services: '--services',
  });
  if (!flags.name.trim() || flags.name.length > 100) throw new Error('--name must be 1-100 characters');
  withStore(flags, (store) => {
    const { token, row } = store.apiTokens.create({ name: flags.name.trim(), role, services, now: Date.now() });
    process.stderr.write(
      `Created ${role} key "${row.name}" (id ${row.id}). Store it now; it is not shown again (only its hash is kept):\n`,
    );
    process.stdout.write(`${token}\n`);
  });
}

export async function runApiKeyList(flags: StoreFlags): Promise<void> {
  withStore(flags, (store) => {
    printTable(
      ['id', 'name', 'role', 'services', 'created', 'last used', 'state'],
      store.apiTokens
        .list()
        .map((k) => [
          String(k.id),
          k.name,
          k.role,
          k.services?.join(',') ?? '-',
          iso(k.createdAt),
          iso(k.lastUsedAt),
          k.revokedAt === null ? 'active' : `revoked ${iso(k.revokedAt)}`,
        ]),
    );
  });
}

export async function runApiKeyRevoke(flags: { id: number } & StoreFlags): Promise<void> {
  withStore(flags, (store) => {
    if (!store.apiTokens.revoke(flags.id, Date.now()))
      throw new Error(`no active API key with id ${flags.id} (see: communewatch api-key list)`);
    process.stdout.write(`Revoked API key ${flags.id}.\n`);
  });
}
