import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private key and the self-signed certificate an SP would publish for it (PEM). Test data only. */
export interface TestSigner {
  privateKeyPem: string;
  certificatePem: string;
}

const KEY_OPTIONS = {
  rsa: ['-newkey', 'rsa:2048'],
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
} as const;

/**
 * A fresh key and self-signed certificate made by the openssl command line (`req -x509 … -subj /CN=test -days 1`)
 * in a temporary directory, so the tests sign and verify with real keys, as an SP's metadata would pin them.
 */
export function createTestSigner(keyType: keyof typeof KEY_OPTIONS = 'rsa'): TestSigner {
  const directory = mkdtempSync(join(tmpdir(), 'saml-hardening-'));
  try {
    const keyFile = join(directory, 'key.pem');
    const certificateFile = join(directory, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', ...KEY_OPTIONS[keyType], '-nodes', '-subj', '/CN=test', '-days', '1'].concat([
        '-keyout',
        keyFile,
        '-out',
        certificateFile,
      ]),
      { stdio: 'pipe' },
    );
    return { privateKeyPem: readFileSync(keyFile, 'utf8'), certificatePem: readFileSync(certificateFile, 'utf8') };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
