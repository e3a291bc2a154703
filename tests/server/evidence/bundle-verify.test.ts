/**
 * verifyBundleFiles on a small sealed bundle (no database): which trust basis a verdict rests on, and that a
 * bundle re-signed with a fresh key — perfectly consistent with the key it carries — is never `authentic`:
 * without a trusted key it is integrity only, and against the server's key or key id it fails naming
 * manifest.json, manifest.sig and signing-key.pem. Every flipped byte is named under each basis.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MANIFEST_FILE,
  PUBLIC_KEY_FILE,
  SIGNATURE_FILE,
  sealBundle,
  sha256Hex,
  signatureText,
  type BundleFiles,
  type Manifest,
} from '../../../server/evidence/bundle-manifest.js';
import { verifyBundleFiles, type TrustAnchor } from '../../../server/evidence/bundle-verify.js';
import { keyIdOf, signBytes, type SigningKey } from '../../../server/evidence/signing.js';

function freshKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const server = freshKey();
const meta = {
  generatedAt: '2026-12-02T02:00:00.000Z',
  serverVersion: 'test',
  vendor: { id: 'vnpt-it', name: 'VNPT-IT', services: ['one-stop-shop'] },
  period: { from: '2026-10-31T17:00:00.000Z', to: '2026-11-30T17:00:00.000Z', timezoneOffsetMinutes: 420 },
};
const content = [
  { name: 'incidents.csv', bytes: Buffer.from('id,service,minutes\n1,one-stop-shop,120\n'), query: 'incidents' },
  { name: 'sla.csv', bytes: Buffer.from('service,month,availability\none-stop-shop,2026-11,99.72\n'), query: 'sla' },
];
const real = sealBundle(content, meta, server).files;
const copy = (files: BundleFiles): BundleFiles => new Map([...files].map(([n, b]) => [n, Buffer.from(b)]));

/** Changes a figure and re-signs the whole bundle with `key`: what a forger can do without the server's key. */
function forge(key: SigningKey, opts: { keepManifestKeyId?: boolean } = {}): BundleFiles {
  const altered = content.map((f) =>
    f.name === 'incidents.csv' ? { ...f, bytes: Buffer.from('id,service,minutes\n1,one-stop-shop,12\n') } : f,
  );
  const files = sealBundle(altered, meta, key).files;
  if (opts.keepManifestKeyId) {
    const m = JSON.parse(Buffer.from(files.get(MANIFEST_FILE)!).toString()) as Manifest;
    m.keyId = server.keyId;
    const bytes = Buffer.from(`${JSON.stringify(m, null, 2)}\n`);
    files.set(MANIFEST_FILE, bytes);
    const sig = signatureText({ algorithm: 'Ed25519', keyId: key.keyId, signature: signBytes(key, bytes) });
    files.set(SIGNATURE_FILE, Buffer.from(sig));
  }
  return files;
}

const bases: Array<[string, TrustAnchor | undefined]> = [
  ['none', undefined],
  ['key', { key: server.publicKey }],
  ['key-id', { keyId: server.keyId }],
];

describe('verifyBundleFiles: the trust basis', () => {
  it('is authentic only against a trusted key or key id, and says which basis it used', () => {
    expect(verifyBundleFiles(real)).toMatchObject({ ok: true, authentic: false, trust: 'none', keyUsed: 'bundle' });
    expect(verifyBundleFiles(real).notes.join('\n')).toMatch(/integrity only/);
    expect(verifyBundleFiles(real, { key: server.publicKey })).toMatchObject({
      ok: true,
      authentic: true,
      trust: 'key',
      keyUsed: 'trusted',
      keyId: server.keyId,
      trustedKeyId: server.keyId,
      notes: [],
    });
    // A KeyObject alone is the same as { key }.
    expect(verifyBundleFiles(real, server.publicKey)).toMatchObject({ authentic: true, trust: 'key' });
    expect(verifyBundleFiles(real, { keyId: server.keyId.toUpperCase() })).toMatchObject({
      ok: true,
      authentic: true,
      trust: 'key-id',
      keyUsed: 'bundle',
      keyId: server.keyId,
    });
  });

  it('refuses a malformed trusted key id', () => {
    expect(() => verifyBundleFiles(real, { keyId: 'abc' })).toThrow(/64 hex digits/);
  });
});

describe('verifyBundleFiles: a bundle re-signed with a fresh key', () => {
  const forger = freshKey();
  const forged = forge(forger);

  it('is intact by its own key, so without a trusted key it is integrity only, never authentic', () => {
    expect(verifyBundleFiles(forged)).toMatchObject({ ok: true, authentic: false, trust: 'none', keyId: forger.keyId });
  });

  it("fails against the server's key, naming manifest.json, manifest.sig and signing-key.pem", () => {
    const r = verifyBundleFiles(forged, { key: server.publicKey });
    expect(r).toMatchObject({ ok: false, authentic: false, trust: 'key', signatureValid: false });
    expect(r.altered).toEqual(expect.arrayContaining([MANIFEST_FILE, SIGNATURE_FILE, PUBLIC_KEY_FILE]));
    expect(r.problems.join('\n')).toContain(`signed by key ${forger.keyId}, not by the trusted key ${server.keyId}`);
  });

  it("fails against the server's key id, naming the same files", () => {
    const r = verifyBundleFiles(forged, { keyId: server.keyId });
    expect(r).toMatchObject({ ok: false, authentic: false, trust: 'key-id' });
    expect(r.altered).toEqual(expect.arrayContaining([MANIFEST_FILE, SIGNATURE_FILE, PUBLIC_KEY_FILE]));
    expect(r.problems.join('\n')).toContain(`${PUBLIC_KEY_FILE}: is key ${forger.keyId}, not the trusted key`);
  });

  it("fails even without a trusted key when manifest.json still names the server's key id", () => {
    const r = verifyBundleFiles(forge(forger, { keepManifestKeyId: true }));
    expect(r).toMatchObject({ ok: false, signatureValid: true, altered: [MANIFEST_FILE] });
    expect(r.problems).toEqual([`${MANIFEST_FILE}: names key ${server.keyId}, but was signed by key ${forger.keyId}`]);
  });
});

describe('verifyBundleFiles: one flipped byte', () => {
  for (const [basis, anchor] of bases)
    it(`names the file, whichever it is (trust: ${basis})`, () => {
      for (const name of real.keys()) {
        const files = copy(real);
        const bytes = files.get(name)!;
        const at = Math.floor(bytes.length / 2);
        bytes[at] = bytes[at]! ^ 0x01;
        const r = verifyBundleFiles(files, anchor);
        expect(r.ok, name).toBe(false);
        expect(r.authentic, name).toBe(false);
        expect(r.altered, name).toContain(name);
        expect(r.problems.join('\n'), name).toContain(name);
      }
    });

  it('leaves the hashes of the untouched files matched', () => {
    const files = copy(real);
    files.set('sla.csv', Buffer.from('changed'));
    const r = verifyBundleFiles(files, { key: server.publicKey });
    expect(r).toMatchObject({ signatureValid: true, altered: ['sla.csv'], matched: ['incidents.csv'] });
    expect(sha256Hex(files.get('incidents.csv')!)).toBe(sha256Hex(content[0]!.bytes));
  });
});
