/**
 * A throwaway self-signed certificate for TLS tests, made by the `openssl` CLI in a temp dir at test time,
 * so no private key is ever committed. notAfter is read back from openssl, not computed, so tests compare
 * the probe's certExpiresAt with what the certificate really says.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

export interface TestCert {
  cert: string;
  key: string;
  /** The certificate's notAfter, epoch ms. */
  notAfterMs: number;
  /** Deletes the temp dir holding the key. */
  remove(): void;
}

/** A self-signed EC certificate for localhost / 127.0.0.1, valid for `days`. */
export function makeSelfSignedCert(days = 30): TestCert {
  const dir = tempDir('cw-cert-');
  const keyFile = join(dir.path, 'key.pem');
  const certFile = join(dir.path, 'cert.pem');
  try {
    // EC keys generate in milliseconds; RSA-2048 can take a second on a slow CI machine.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        String(days),
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'pipe' },
    );
    const endDate = execFileSync('openssl', ['x509', '-enddate', '-noout', '-in', certFile], { encoding: 'utf8' });
    const notAfterMs = Date.parse(endDate.replace(/^notAfter=/, '').trim());
    if (!Number.isFinite(notAfterMs)) throw new Error(`cannot parse openssl end date: ${endDate}`);
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), notAfterMs, remove: dir.remove };
  } catch (err) {
    dir.remove();
    throw err;
  }
}
