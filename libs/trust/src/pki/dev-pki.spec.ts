import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate, sign, verify } from 'node:crypto';
import { validateSignerChain } from '../chain/validate-signer-chain.js';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST } from '../vds-contract.js';
import { generateDevPki, type DevPki } from './dev-pki.js';

const NOW = new Date('2027-01-15T10:00:00Z');
const YEAR_MS = 365.25 * 24 * 3600 * 1000;

describe('generateDevPki', () => {
  let pki: DevPki;
  let dir: string;
  const pem = (name: keyof DevPki) => {
    const path = join(dir, `${name}.pem`);
    writeFileSync(path, pki[name].certificate.toString('pem'));
    return path;
  };
  const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

  beforeAll(async () => {
    pki = await generateDevPki(NOW);
    dir = mkdtempSync(join(tmpdir(), 'idtoken-dev-pki-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['identityVdsSigner', 'serviceVdsSigner'] as const)(
    'issues a %s that openssl verifies against the anchor through the CA',
    (signer) => {
      const output = openssl(
        'verify',
        '-attime',
        String(NOW.getTime() / 1000),
        '-CAfile',
        pem('anchor'),
        '-untrusted',
        pem('ca'),
        pem(signer),
      );
      expect(output.trim()).toBe(`${join(dir, `${signer}.pem`)}: OK`);
    },
  );

  it('gives the anchor 15 years, the CA 10 and the signers 6 (longer than any credential they sign), starting a few minutes before now', () => {
    const years = (name: keyof DevPki) =>
      (pki[name].certificate.notAfter.getTime() - pki[name].certificate.notBefore.getTime()) / YEAR_MS;
    expect(Math.round(years('anchor'))).toBe(15);
    expect(Math.round(years('ca'))).toBe(10);
    expect(Math.round(years('identityVdsSigner'))).toBe(6);
    expect(Math.round(years('serviceVdsSigner'))).toBe(6);
    for (const name of ['anchor', 'ca', 'identityVdsSigner', 'serviceVdsSigner'] as const) {
      expect(pki[name].certificate.notBefore.getTime()).toBeLessThan(NOW.getTime());
      expect(NOW.getTime() - pki[name].certificate.notBefore.getTime()).toBeLessThanOrEqual(5 * 60 * 1000);
    }
  });

  it('marks the anchor and CA as CAs that sign certificates, and the signers as end entities that sign data', () => {
    const text = (name: keyof DevPki) => openssl('x509', '-in', pem(name), '-noout', '-text');
    for (const name of ['anchor', 'ca'] as const) {
      expect(text(name)).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
      expect(text(name)).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    }
    expect(text('ca')).toMatch(/CA:TRUE, pathlen:0/);
    const names = (name: keyof DevPki) => openssl('x509', '-in', pem(name), '-noout', '-issuer', '-subject');
    expect(names('anchor')).toMatch(
      /^issuer=CN = IDToken Development Trust Anchor, .*\nsubject=CN = IDToken Development Trust Anchor, /,
    );
    expect(names('ca')).toMatch(
      /^issuer=CN = IDToken Development Trust Anchor, .*\nsubject=CN = IDToken Development CA, /,
    );
    for (const name of ['identityVdsSigner', 'serviceVdsSigner'] as const) {
      expect(text(name)).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
      expect(text(name)).toMatch(/Key Usage: critical\s+Digital Signature\n/);
      expect(text(name)).toMatch(/ASN1 OID: prime256v1/);
    }
  });

  it('lists manifest 0x0A0001 for the identity signer and 0x0A0002 for the Service-VDS signer', async () => {
    const base = {
      at: NOW,
      anchors: [pki.anchor.certificate],
      intermediates: [pki.ca.certificate],
      isCertificateRevoked: () => false,
    };
    await expect(
      validateSignerChain({ ...base, signer: pki.identityVdsSigner.certificate, manifestId: IDENTITY_MANIFEST }),
    ).resolves.toHaveLength(3);
    await expect(
      validateSignerChain({ ...base, signer: pki.serviceVdsSigner.certificate, manifestId: SERVICE_MANIFEST }),
    ).resolves.toHaveLength(3);
    await expect(
      validateSignerChain({ ...base, signer: pki.identityVdsSigner.certificate, manifestId: SERVICE_MANIFEST }),
    ).rejects.toThrow(/may not sign manifest 0x0A0002/);
  });

  it("hands out each certificate's private key", () => {
    for (const name of ['anchor', 'ca', 'identityVdsSigner', 'serviceVdsSigner'] as const) {
      const signature = sign('sha256', Buffer.from('probe'), pki[name].privateKey);
      const { publicKey } = new X509Certificate(pki[name].certificateDer);
      expect(verify('sha256', Buffer.from('probe'), publicKey, signature)).toBe(true);
    }
  });
});
