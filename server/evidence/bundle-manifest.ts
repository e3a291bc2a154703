/**
 * The envelope of an evidence bundle: `manifest.json` (what the bundle is — vendor, period, server version —
 * and, per file, its name, size, SHA-256 and the query that produced it), `manifest.sig` (the Ed25519
 * signature of manifest.json's exact bytes, with the key id) and `signing-key.pem` (the public key, so the
 * bundle can be checked offline — for integrity only: trust needs the server's key or key id from elsewhere,
 * see bundle-verify.ts).
 *
 * manifest.sig is three `name: value` lines rather than JSON so that plain tools can take the signature out
 * for openssl (`sed -n 's/^signature: //p' manifest.sig | base64 -d > manifest.sig.bin`, docs/evidence.md).
 */
import { createHash } from 'node:crypto';
import { signBytes, type SigningKey } from './signing.js';

export const BUNDLE_FORMAT = 'communewatch-vendor-bundle/1';
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const PUBLIC_KEY_FILE = 'signing-key.pem';
/** The files that describe the bundle rather than being listed in it. */
export const ENVELOPE_FILES: readonly string[] = [MANIFEST_FILE, SIGNATURE_FILE, PUBLIC_KEY_FILE];

/** A bundle's files by name (flat: no folders). */
export type BundleFiles = Map<string, Uint8Array>;

export interface ManifestFile {
  name: string;
  size: number;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
  /** What produced the file: the data read and its filter, in words a reviewer can repeat. */
  query: string;
}

export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  /** ISO 8601, UTC. */
  generatedAt: string;
  serverVersion: string;
  /** The signing key's id (hex SHA-256 of its SPKI DER). */
  keyId: string;
  vendor: { id: string; name: string; services: string[] };
  /** [from, to), ISO 8601 UTC, and the local offset the tables and texts use. */
  period: { from: string; to: string; timezoneOffsetMinutes: number };
  files: ManifestFile[];
}

export interface SignatureFile {
  algorithm: string;
  keyId: string;
  /** base64 */
  signature: string;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * manifest.sig's text: `algorithm`, `keyId` and `signature` lines, in that order, each `name: value`, ending in
 * a newline — the form parseSignature reads back and `sed -n 's/^signature: //p'` takes apart (docs/evidence.md).
 */
export function signatureText(s: SignatureFile): string {
  return `algorithm: ${s.algorithm}\nkeyId: ${s.keyId}\nsignature: ${s.signature}\n`;
}

/** The three lines of manifest.sig, or undefined when any is missing or malformed. */
export function parseSignature(text: string): SignatureFile | undefined {
  const field = (name: string) => new RegExp(`^${name}: (\\S+)$`, 'm').exec(text)?.[1];
  const algorithm = field('algorithm');
  const keyId = field('keyId');
  const signature = field('signature');
  if (algorithm !== 'Ed25519' || !keyId || !/^[0-9a-f]{64}$/.test(keyId)) return undefined;
  if (!signature || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature) || Buffer.from(signature, 'base64').length !== 64)
    return undefined;
  return { algorithm, keyId, signature };
}

/** manifest.json as parsed, or undefined when it is not a manifest of this format. */
export function parseManifest(bytes: Uint8Array): Manifest | undefined {
  try {
    const m = JSON.parse(Buffer.from(bytes).toString('utf8')) as Manifest;
    if (m.format !== BUNDLE_FORMAT || !Array.isArray(m.files)) return undefined;
    const ok = m.files.every(
      (f) => typeof f.name === 'string' && Number.isInteger(f.size) && /^[0-9a-f]{64}$/.test(f.sha256),
    );
    return ok ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Adds the envelope to a bundle's content files: the manifest listing each with its size, hash and query,
 * its signature and the public key. Returns every file of the bundle, content first.
 */
export function sealBundle(
  content: ReadonlyArray<{ name: string; bytes: Uint8Array; query: string }>,
  meta: Omit<Manifest, 'format' | 'keyId' | 'files'>,
  key: SigningKey,
): { files: BundleFiles; manifest: Manifest } {
  const files: BundleFiles = new Map();
  for (const f of content) {
    if (ENVELOPE_FILES.includes(f.name) || files.has(f.name) || !/^[A-Za-z0-9._-]+$/.test(f.name))
      throw new Error(`bundle file name "${f.name}" is reserved, repeated or not a plain file name`);
    files.set(f.name, f.bytes);
  }
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    ...meta,
    keyId: key.keyId,
    files: content.map((f) => ({ name: f.name, size: f.bytes.length, sha256: sha256Hex(f.bytes), query: f.query })),
  };
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  files.set(MANIFEST_FILE, bytes);
  files.set(
    SIGNATURE_FILE,
    Buffer.from(signatureText({ algorithm: 'Ed25519', keyId: key.keyId, signature: signBytes(key, bytes) })),
  );
  files.set(PUBLIC_KEY_FILE, Buffer.from(key.publicPem));
  return { files, manifest };
}
