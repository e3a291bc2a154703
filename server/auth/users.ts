/**
 * People who log in to the web UI: a user name, a scrypt password hash and one of the roles (admin,
 * viewer, vendor scoped to service classes). The rows are kept by the store's UserStore
 * (server/store/auth-store.ts); here live the rules that are not storage: valid names and the login check.
 * Nothing here keeps a password.
 */
import type { User, UserStore } from '../store/auth-store.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';

export const USERNAME_PATTERN = '^[a-z0-9][a-z0-9._-]{1,63}$';

/**
 * The user for a name and password, or undefined. Takes the same time for an unknown or disabled user
 * as for a wrong password, so the login form does not reveal which names exist.
 */
export async function authenticate(
  users: UserStore,
  username: string,
  password: string,
  now: number,
): Promise<User | undefined> {
  const user = users.byName(username);
  const stored = user && user.disabledAt === null ? users.passwordHash(user.id) : undefined;
  const check = await verifyPassword(password, stored ?? (await decoyHash()));
  if (!user || !stored || !check.ok) return undefined;
  if (check.outdated) users.setPassword(user.id, await hashPassword(password));
  users.markLogin(user.id, now);
  return user;
}
