/**
 * Checks an evidence bundle (folder or zip): the Ed25519 signature of manifest.json and every file against
 * the size and SHA-256 the manifest lists, naming each altered, missing or extra file, so a reviewer learns
 * not only that the bundle was changed but where.
 *
 * Integrity is not authenticity. The bundle carries its own public key (so it can be checked offline), but
 * anyone can edit a file, recompute the manifest and re-sign it with a fresh key of their own: checked with
 * the key inside, such a forgery is perfectly consistent. Only a key the checker trusts — the server's public
 * key held or fetched from its well-known URL, or its key id read off a source the checker trusts (the
 * province's website, a letter) — proves the server made the bundle. So the caller passes a {@link TrustAnchor}
 * and the report says which trust basis was used (`trust`); without one the report is `ok` (intact) but never
 * `authentic`, and the CLI says so and exits 2 (cli/report-vendor-command.ts).
 *
 * A signature that fails cannot by itself say whether manifest.json or manifest.sig was changed; the key ids
 * narrow it down where they can (a replaced signing-key.pem, an edited key id), and otherwise both are named.
 */
import { KeyObject } from 'node:crypto';
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

/**
 * What the checker trusts, from outside the bundle: the server's public key itself, or the id of that key
 * (hex SHA-256 of its SPKI DER), in which case the key the bundle carries is used only if it has this id.
 */
export type TrustAnchor = { key: KeyObject } | { keyId: string };

/**
 * The basis of a verdict: `key` — checked against a trusted public key; `key-id` — checked with the bundled
 * key after its id matched the trusted id; `none` — only with the bundle's own key, so integrity only.
 */
export type TrustBasis = 'key' | 'key-id' | 'none';

export interface VerifyReport {
  /**
   * Intact: the signature verified with the key used and every file matches the manifest. Not by itself
   * authentic — see `authentic`.
   */
  ok: boolean;
  /** `ok`, and the key that verified was one the checker trusts (`trust` is not `none`). */
  authentic: boolean;
  /** Which trust basis the verdict rests on. */
  trust: TrustBasis;
  /** Whether manifest.json's signature verified with the key used. */
  signatureValid: boolean;
  /** Which key the signature was checked against: the trusted one, the one in the bundle, or none at all. */
  keyUsed: 'trusted' | 'bundle' | 'none';
  /** Id of the key used (hex SHA-256 of its SPKI DER), when there was one. */
  keyId: string | null;
  /** The id the checker trusts (of the trusted key, or the one given), when there was one. */
  trustedKeyId: string | null;
  /** Files whose bytes differ from the manifest (or envelope files found changed or foreign), by name. */
  altered: string[];
  /** Files the manifest lists that the bundle lacks (envelope files included). */
  missing: string[];
  /** Files in the bundle the manifest does not list. */
  extra: string[];
  /** Content files whose size and hash matched. */
  matched: string[];
  /** Each finding in a sentence, naming the file. */
  problems: string[];
  /** What a reader should know even when all is well (e.g. that nothing was authenticated). */
  notes: string[];
  manifest: Manifest | null;
}

const KEY_ID = /^[0-9a-f]{64}$/;

/**
 * Verifies a bundle folder or zip (see readBundle) against `trust` — a TrustAnchor, or the server's public
 * key as a KeyObject — or, without it, for integrity only.
 */
export function verifyBundle(dirOrZip: string, trust?: KeyObject | TrustAnchor): VerifyReport {
  return verifyBundleFiles(readBundle(dirOrZip), trust);
}

/**
 * Verifies a bundle's files (name → bytes, as readBundle or an unzipped download gives them). Never throws for
 * anything in the bundle: every finding goes into the report, naming its file. Throws only when `trust` is
 * itself malformed (a key id that is not 64 hex digits).
 */
export function verifyBundleFiles(files: BundleFiles, trust?: KeyObject | TrustAnchor): VerifyReport {
  const anchor: TrustAnchor | undefined = trust instanceof KeyObject ? { key: trust } : trust;
  const trustedKey = anchor && 'key' in anchor ? anchor.key : undefined;
  const trustedId = anchor ? ('key' in anchor ? keyIdOf(anchor.key) : anchor.keyId.toLowerCase()) : undefined;
  if (trustedId !== undefined && !KEY_ID.test(trustedId))
    throw new Error(`the trusted key id must be 64 hex digits (a SHA-256), not "${trustedId}"`);
  const r: VerifyReport = {
    ok: false,
    authentic: false,
    trust: anchor ? ('key' in anchor ? 'key' : 'key-id') : 'none',
    signatureValid: false,
    keyUsed: 'none',
    keyId: null,
    trustedKeyId: trustedId ?? null,
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
  const alterBoth = (why: string) => {
    for (const name of [MANIFEST_FILE, SIGNATURE_FILE]) if (!r.altered.includes(name)) r.altered.push(name);
    r.problems.push(`${MANIFEST_FILE} / ${SIGNATURE_FILE}: ${why}`);
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
  // A bundle from the trusted server carries the trusted key; any other key means another server or a forgery.
  const foreignKey = trustedId !== undefined && bundledId !== undefined && bundledId !== trustedId;
  if (foreignKey)
    alter(
      PUBLIC_KEY_FILE,
      `is key ${bundledId}, not the trusted key ${trustedId} (another server, or a forged bundle)`,
    );

  const key = trustedKey ?? bundledKey;
  if (key) {
    r.keyUsed = trustedKey ? 'trusted' : 'bundle';
    r.keyId = keyIdOf(key);
  }
  if (key && manifestBytes && sig) {
    r.signatureValid = verifyBytes(key, manifestBytes, sig.signature);
    if (r.signatureValid) {
      // manifest.json is now known to be as this key signed it: the key ids around it must agree with it.
      if (sig.keyId !== r.keyId) alter(SIGNATURE_FILE, `names key ${sig.keyId}, but the signature is by ${r.keyId}`);
      if (manifest && manifest.keyId !== r.keyId)
        alter(MANIFEST_FILE, `names key ${manifest.keyId}, but was signed by key ${r.keyId}`);
      if (r.trust === 'key-id' && foreignKey)
        alterBoth(`signed by key ${r.keyId}, not by the trusted key ${trustedId} (another server, or a forged bundle)`);
    } else if (trustedKey && foreignKey && sig.keyId === bundledId) {
      alterBoth(`signed by key ${bundledId}, not by the trusted key ${r.keyId} (another server, or a forged bundle)`);
    } else if (!trustedKey && bundledId && sig.keyId !== bundledId && manifest?.keyId === sig.keyId) {
      alter(PUBLIC_KEY_FILE, `is key ${bundledId}, but the manifest was signed by key ${sig.keyId}`);
    } else {
      alterBoth('the signature does not match — one of the two was altered');
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
  r.ok = r.signatureValid && r.problems.length === 0;
  r.authentic = r.ok && r.trust !== 'none';
  if (r.trust === 'none')
    r.notes.push(
      `integrity only: checked with the key inside the bundle (${r.keyId ?? 'none'}), which anyone re-signing ` +
        "the bundle can replace; authenticity needs the server's key or key id from a source you trust " +
        '(GET /.well-known/communewatch/signing-key.pem or .json)',
    );
  return r;
}
