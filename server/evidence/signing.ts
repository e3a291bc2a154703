/**
 * The server's Ed25519 signing key, which makes an evidence bundle tamper-evident: a vendor who receives a
 * bundle can check, with the public key served at /.well-known/communewatch/signing-key.pem, that no figure
 * was changed after the server produced it, and the province can show that it did not change one either.
 *
 * The key pair is generated (node:crypto) on first use into the data directory as a PKCS#8 PEM file with
 * mode 0600, and loaded from there afterwards, so every bundle of one server carries the same key id. Lazy:
 * a server that never builds a bundle never writes a key. The key id is the hex SHA-256 of the public key's
 * DER (SubjectPublicKeyInfo) encoding — what `openssl pkey -pubin -outform DER | sha256sum` prints.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file under the data directory holding the private key. */
export const SIGNING_KEY_FILE = 'signing-key.pem';
/** Where the public key is served (PEM), and its JSON form (key id and PEM). */
export const WELL_KNOWN_KEY_PATH = '/.well-known/communewatch/signing-key.pem';
export const WELL_KNOWN_KEY_JSON_PATH = '/.well-known/communewatch/signing-key.json';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Hex SHA-256 of the public key's SPKI DER. */
  keyId: string;
  /** The public key as an SPKI PEM, the text served and put into bundles. */
  publicPem: string;
}

/** The key id of a public key: hex SHA-256 of its SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the signing key is not an Ed25519 key');
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * The key in `dataDir`, generated there on first call. Written with the exclusive flag, so two processes
 * starting together (the server and a CLI command) cannot overwrite each other's key: the loser reads the
 * winner's file.
 */
export function loadOrCreateSigningKey(dataDir: string): SigningKey {
  const file = join(dataDir, SIGNING_KEY_FILE);
  try {
    return fromPrivate(createPrivateKey(readFileSync(file)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`signing key ${file}: ${(err as Error).message}`);
  }
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    // The umask may have narrowed the mode, never widened it; set it exactly anyway.
    chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return fromPrivate(createPrivateKey(readFileSync(file)));
  }
  return fromPrivate(privateKey);
}

/** Loads the key once, on first use (a server that never signs writes no key). */
export function lazySigningKey(dataDir: string): () => SigningKey {
  let key: SigningKey | undefined;
  return () => {
    key ??= loadOrCreateSigningKey(dataDir);
    return key;
  };
}

/** Ed25519 signature of the exact bytes, base64. */
export function signBytes(key: SigningKey, bytes: Uint8Array): string {
  return sign(null, bytes, key.privateKey).toString('base64');
}

/** True when `signatureB64` is an Ed25519 signature of `bytes` by `publicKey`; false for any malformed input. */
export function verifyBytes(publicKey: KeyObject, bytes: Uint8Array, signatureB64: string): boolean {
  try {
    return verify(null, bytes, publicKey, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/** A public key from PEM text (SPKI, or a private key's PEM, whose public half is taken). */
export function publicKeyFromPem(pem: string | Buffer): KeyObject {
  const text = pem.toString();
  const key = /PRIVATE KEY/.test(text) ? createPublicKey(createPrivateKey(text)) : createPublicKey(text);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key');
  return key;
}
