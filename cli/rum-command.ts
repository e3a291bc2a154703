/** `communewatch rum-app create|list|revoke`: web apps allowed to send real-user monitoring data. */
import { parseServiceList } from '../server/auth/role-input.js';
import { iso, printTable, withStore, type StoreFlags } from './store-access.js';

export async function runRumAppCreate(
  flags: { name: string; origin: string[]; services?: string; sample?: string } & StoreFlags,
): Promise<void> {
  const name = flags.name.trim();
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name))
    throw new Error('--name: 1-64 lower-case letters, digits, dot, dash or underscore, e.g. motcua-laocai');
  const origins = flags.origin.map((o) => {
    let url: URL;
    try {
      url = new URL(o);
    } catch {
      throw new Error(`--origin "${o}" is not a URL; give scheme and host, e.g. https://motcua.laocai.gov.vn`);
    }
    if (url.origin !== o.replace(/\/$/, ''))
      throw new Error(`--origin "${o}": give only scheme, host and port (${url.origin}), no path`);
    return url.origin;
  });
  const sampleRate = flags.sample === undefined ? 1 : Number(flags.sample);
  if (!(sampleRate > 0 && sampleRate <= 1)) throw new Error('--sample must be a share in (0, 1], e.g. 0.25');
  const services = parseServiceList(flags.services);
  withStore(flags, (store) => {
    if (store.rum.apps().some((a) => a.name === name))
      throw new Error(`an app "${name}" already exists (see: communewatch rum-app list)`);
    const { app, key } = store.rum.createApp({ name, origins, services, sampleRate, now: Date.now() });
    process.stderr.write(
      `Created RUM app "${app.name}" (id ${app.id}) for ${origins.join(', ')}. ` +
        'Its key goes into the page (data-key): it identifies the app, it is not a password.\n',
    );
    process.stdout.write(`${key}\n`);
  });
}

export async function runRumAppList(flags: StoreFlags): Promise<void> {
  withStore(flags, (store) => {
    printTable(
      ['id', 'name', 'origins', 'services', 'sample', 'created', 'state'],
      store.rum
        .apps()
        .map((a) => [
          String(a.id),
          a.name,
          a.origins.join(' '),
          a.services?.join(',') ?? '-',
          String(a.sampleRate),
          iso(a.createdAt),
          a.revokedAt === null ? 'active' : `revoked ${iso(a.revokedAt)}`,
        ]),
    );
  });
}

export async function runRumAppRevoke(flags: { id: number } & StoreFlags): Promise<void> {
  withStore(flags, (store) => {
    if (!store.rum.revokeApp(flags.id, Date.now()))
      throw new Error(`no active RUM app with id ${flags.id} (see: communewatch rum-app list)`);
    process.stdout.write(`Revoked RUM app ${flags.id}; its pages' data is refused from now on.\n`);
  });
}
