/**
 * Checks an evidence bundle (folder or zip): the Ed25519 signature of manifest.json, against a trusted
 * public key when one is given (the server's well-known key) or else the key the bundle carries, and every
 * file against the size and SHA-256 the manifest lists. Names each altered, missing or extra file, so a
 * reviewer learns not only that the bundle was changed but where.
 *
 * A signature that fails cannot by itself say whether manifest.json or manifest.sig was changed; the key ids
 * narrow it down where they can (a replaced signing-key.pem, an edited key id), and otherwise both are named.
 * Without a trusted key the check proves only that the bundle is as its key signed it: the report says so,
 * and gives the key id to compare with the server's.
 */
import type { KeyObject } from 'node:crypto';
import {
  ENVELOPE_FILES,
  MANIFEST_FILE,
  PUBLIC_KEY_FILE,
  SIGNATURE_FILE,
  parseManifest,
  parseSignature,
  sha256Hex,
  type BundleFiles,
  type Manifest,
} from './bundle-manifest.js';
import { readBundle } from './bundle-files.js';
import { keyIdOf, publicKeyFromPem, verifyBytes } from './signing.js';

export interface VerifyReport {
  ok: boolean;
  /** Whether manifest.json's signature verified with the key used. */
  signatureValid: boolean;
  /** Which key the signature was checked against. */
  keyUsed: 'trusted' | 'bundle' | 'none';
  /** Id of the key used (hex SHA-256 of its SPKI DER), when there was one. */
  keyId: string | null;
  /** Files whose bytes differ from the manifest (or envelope files found changed), by name. */
  altered: string[];
  /** Files the manifest lists that the bundle lacks (envelope files included). */
  missing: string[];
  /** Files in the bundle the manifest does not list. */
  extra: string[];
  /** Content files whose size and hash matched. */
  matched: string[];
  /** Each finding in a sentence, naming the file. */
  problems: string[];
  /** What a reader should know even when all is well (e.g. which key to compare). */
  notes: string[];
  manifest: Manifest | null;
}

/** Verifies a bundle folder or zip (see readBundle); `trustedKey` is the server's public key, if known. */
export function verifyBundle(dirOrZip: string, trustedKey?: KeyObject): VerifyReport {
  return verifyBundleFiles(readBundle(dirOrZip), trustedKey);
}

export function verifyBundleFiles(files: BundleFiles, trustedKey?: KeyObject): VerifyReport {
  const r: VerifyReport = {
    ok: false,
    signatureValid: false,
    keyUsed: 'none',
    keyId: null,
    altered: [],
    missing: [],
    extra: [],
    matched: [],
    problems: [],
    notes: [],
    manifest: null,
  };
  const alter = (name: string, why: string) => {
    if (!r.altered.includes(name)) r.altered.push(name);
    r.problems.push(`${name}: ${why}`);
  };
  for (const name of ENVELOPE_FILES)
    if (!files.has(name)) {
      r.missing.push(name);
      r.problems.push(`${name}: missing`);
    }
  const manifestBytes = files.get(MANIFEST_FILE);
  const manifest = manifestBytes && parseManifest(manifestBytes);
  if (manifestBytes && !manifest) alter(MANIFEST_FILE, 'not a readable manifest of this bundle format');
  r.manifest = manifest ?? null;
  const sigBytes = files.get(SIGNATURE_FILE);
  const sig = sigBytes && parseSignature(Buffer.from(sigBytes).toString('utf8'));
  if (sigBytes && !sig) alter(SIGNATURE_FILE, 'not a readable Ed25519 signature file');
  const pem = files.get(PUBLIC_KEY_FILE);
  let bundledKey: KeyObject | undefined;
  if (pem) {
    try {
      bundledKey = publicKeyFromPem(Buffer.from(pem));
    } catch {
      alter(PUBLIC_KEY_FILE, 'not a readable Ed25519 public key');
    }
  }
  const bundledId = bundledKey && keyIdOf(bundledKey);

  const key = trustedKey ?? bundledKey;
  if (key) {
    r.keyUsed = trustedKey ? 'trusted' : 'bundle';
    r.keyId = keyIdOf(key);
  }
  if (key && manifestBytes && sig) {
    r.signatureValid = verifyBytes(key, manifestBytes, sig.signature);
    if (r.signatureValid) {
      // manifest.json is now known authentic: the key ids around it must agree with it.
      if (sig.keyId !== r.keyId) alter(SIGNATURE_FILE, `names key ${sig.keyId}, but the signature is by ${r.keyId}`);
      if (bundledId && bundledId !== r.keyId)
        alter(PUBLIC_KEY_FILE, `is key ${bundledId}, not the trusted key ${r.keyId} that signed the manifest`);
    } else if (trustedKey && bundledId && bundledId !== r.keyId && sig.keyId === bundledId) {
      r.problems.push(
        `${MANIFEST_FILE}: signed by key ${bundledId}, not by the trusted key ${r.keyId} (another server, or a forged bundle)`,
      );
    } else if (!trustedKey && bundledId && sig.keyId !== bundledId && manifest?.keyId === sig.keyId) {
      alter(PUBLIC_KEY_FILE, `is key ${bundledId}, but the manifest was signed by key ${sig.keyId}`);
    } else {
      r.problems.push(
        `${MANIFEST_FILE} / ${SIGNATURE_FILE}: the signature does not match — one of the two was altered`,
      );
      r.altered.push(MANIFEST_FILE, SIGNATURE_FILE);
    }
  }

  if (manifest) {
    const listed = new Set<string>();
    for (const f of manifest.files) {
      listed.add(f.name);
      const bytes = files.get(f.name);
      if (!bytes) {
        r.missing.push(f.name);
        r.problems.push(`${f.name}: missing (listed in the manifest)`);
      } else if (bytes.length !== f.size || sha256Hex(bytes) !== f.sha256) {
        alter(f.name, `altered (size ${bytes.length}, manifest ${f.size}; SHA-256 differs from the manifest)`);
      } else r.matched.push(f.name);
    }
    for (const name of files.keys())
      if (!listed.has(name) && !ENVELOPE_FILES.includes(name)) {
        r.extra.push(name);
        r.problems.push(`${name}: extra (not listed in the manifest)`);
      }
  }
  if (!r.signatureValid && r.problems.length === 0) r.problems.push('the signature could not be checked');
  if (r.keyUsed === 'bundle')
    r.notes.push(
      `checked with the key in the bundle (${r.keyId}); compare it with the server's key id ` +
        '(GET /.well-known/communewatch/signing-key.json) or pass the trusted key',
    );
  r.ok = r.signatureValid && r.problems.length === 0;
  return r;
}
