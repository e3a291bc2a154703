/**
 * Password hashing with scrypt (node:crypto, no native add-on to build on commune-office servers).
 * Stored as `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` so the cost can be raised later and old hashes
 * still verify (and are re-hashed at the next login, see users.ts).
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** OWASP's minimum for scrypt (N=2^17, r=8, p=1): 128 MiB and ~0.3 s per login on a 2-vCPU server. */
export const SCRYPT_COST = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(
  password: string,
  cost: { N: number; r: number; p: number } = SCRYPT_COST,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** A hash of a random password, so an unknown user name costs the same time as a wrong password. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash uses weaker parameters than SCRYPT_COST: re-hash after a successful login. */
  outdated: boolean;
}

export async function verifyPassword(password: string, stored: string): Promise<PasswordCheck> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return { ok: false, outdated: false };
  const cost = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  const expected = Buffer.from(m[5]!, 'base64');
  const actual = await scrypt(password, Buffer.from(m[4]!, 'base64'), cost);
  const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
  return { ok, outdated: cost.N < SCRYPT_COST.N || cost.r < SCRYPT_COST.r || cost.p < SCRYPT_COST.p };
}

/** Rules for a new password: long enough to resist guessing at the login rate limit. */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password.length < 10) return 'the password needs at least 10 characters';
  if (password.length > 200) return 'the password may have at most 200 characters';
  if (password.toLowerCase().includes(username.toLowerCase())) return 'the password must not contain the user name';
  return undefined;
}
