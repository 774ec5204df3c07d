import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCsca, createTestPassport, type TestCsca, type TestPassport } from '../testing/passport-factory.js';
import { PassiveAuthError } from './passive-auth-error.js';
import { passiveAuthentication } from './passive-authentication.js';
import { encodeTlv } from './tlv.js';

/*
 * An independent peer (CONVENTIONS.md): OpenSSL checks what our factory builds — the DSC → CSCA chain, the
 * CMS signature and the LDS Security Object's shape — and signs an SOD our verifier must accept. Without this,
 * factory and verifier would only agree with each other.
 */
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const describeWithOpenssl = hasOpenssl ? describe : describe.skip;

function openssl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describeWithOpenssl('passive authentication against OpenSSL', () => {
  let directory: string;
  const file = (name: string) => join(directory, name);

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'idtoken-icao-'));
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  /** `openssl cms -verify` of the written SOD against the written CSCA, content to content.der. */
  const opensslCmsVerify = () =>
    openssl([
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      file('sod.der'),
      '-binary',
      '-CAfile',
      file('csca.pem'),
      '-out',
      file('content.der'),
    ]);

  function writeDocument(passport: TestPassport, csca: TestCsca): void {
    writeFileSync(file('csca.pem'), csca.certificatePem);
    writeFileSync(file('dsc.pem'), passport.documentSigner.certificatePem);
    writeFileSync(file('sod.der'), passport.sodContentInfoDer);
    writeFileSync(file('lds.der'), passport.ldsSecurityObjectDer);
  }

  describe.each([
    ['P-256 CSCA, P-256 DSC', 'P-256', 'P-256'],
    ['RSA CSCA, RSA PKCS#1 v1.5 DSC', 'RSA', 'RSA'],
    ['RSASSA-PSS CSCA, RSASSA-PSS DSC', 'RSA-PSS', 'RSA-PSS'],
  ] as const)('our factory’s %s', (_name, cscaKey, dscKey) => {
    let csca: TestCsca;
    let passport: TestPassport;

    beforeAll(async () => {
      csca = await createTestCsca({ keyAlgorithm: cscaKey });
      passport = await createTestPassport({ csca, dscKeyAlgorithm: dscKey, hashAlgorithm: 'SHA-384' });
      writeDocument(passport, csca);
    });

    it('has a DSC that `openssl verify` chains to the CSCA', () => {
      const result = openssl(['verify', '-CAfile', file('csca.pem'), file('dsc.pem')]);
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe(`${file('dsc.pem')}: OK`);
    });

    it('has a SOD that `openssl cms -verify` accepts, encapsulating our LDS Security Object', () => {
      const result = opensslCmsVerify();
      expect(result.stderr).toContain('Verification successful');
      expect(new Uint8Array(readFileSync(file('content.der')))).toEqual(passport.ldsSecurityObjectDer);
    });

    it('passes our verifier too', () => {
      expect(() =>
        passiveAuthentication(passport, { cscaCertificates: [csca.certificateDer], now: new Date() }),
      ).not.toThrow();
    });
  });

  it('shows OpenSSL refusing a SOD whose signature we altered (so acceptance above means something)', async () => {
    const csca = await createTestCsca();
    const passport = await createTestPassport({ csca, defects: { alterSodSignature: true } });
    writeDocument(passport, csca);
    const result = opensslCmsVerify();
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/verification failure/i);
  });

  it('has an LDS Security Object whose shape `openssl asn1parse` reads as ICAO 9303 part 10 says', async () => {
    const csca = await createTestCsca();
    const passport = await createTestPassport({ csca, aa: 'ecdsa', hashAlgorithm: 'SHA-512' });
    writeDocument(passport, csca);
    const dump = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', file('lds.der')], { encoding: 'utf8' });
    // version 1, sha512, DG1 / DG2 / DG15 each with a 64-byte hash, then LDSVersionInfo "0108" / "040000".
    const fields = dump
      .split('\n')
      .map((line) =>
        line
          .replace(/^.*?(prim|cons): /, '')
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .filter(Boolean);
    expect(fields).toEqual([
      'SEQUENCE',
      'INTEGER :01',
      'SEQUENCE',
      'OBJECT :sha512',
      'SEQUENCE',
      'SEQUENCE',
      'INTEGER :01',
      expect.stringMatching(/^OCTET STRING \[HEX DUMP\]:[0-9A-F]{128}$/),
      'SEQUENCE',
      'INTEGER :02',
      expect.stringMatching(/^OCTET STRING \[HEX DUMP\]:[0-9A-F]{128}$/),
      'SEQUENCE',
      'INTEGER :0F',
      expect.stringMatching(/^OCTET STRING \[HEX DUMP\]:[0-9A-F]{128}$/),
      'SEQUENCE',
      'PRINTABLESTRING :0108',
      'PRINTABLESTRING :040000',
    ]);
  });

  describe.each([
    ['ECDSA', 'P-256', []],
    ['RSASSA-PSS', 'RSA-PSS', ['-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_pss_saltlen:32']],
  ] as const)('an SOD that OpenSSL signs with %s', (_name, keyAlgorithm, keyOptions) => {
    it('passes our verifier, and fails it once one DG1 byte changes', async () => {
      const csca = await createTestCsca({ keyAlgorithm: keyAlgorithm === 'P-256' ? 'P-256' : 'RSA' });
      const passport = await createTestPassport({ csca, dscKeyAlgorithm: keyAlgorithm });
      writeDocument(passport, csca);
      writeFileSync(file('dsc.key'), passport.documentSigner.privateKey.export({ format: 'pem', type: 'pkcs8' }));
      const signed = openssl([
        'cms',
        '-sign',
        '-binary',
        '-nodetach',
        '-nosmimecap',
        '-outform',
        'DER',
        '-in',
        file('lds.der'),
        '-econtent_type',
        '2.23.136.1.1.1',
        '-signer',
        file('dsc.pem'),
        '-inkey',
        file('dsc.key'),
        '-md',
        'sha256',
        ...keyOptions,
        '-out',
        file('openssl-sod.der'),
      ]);
      expect(signed.stderr).toBe('');
      const sod = encodeTlv(0x77, new Uint8Array(readFileSync(file('openssl-sod.der'))));
      const options = { cscaCertificates: [csca.certificateDer], now: new Date() };

      expect(passiveAuthentication({ ...passport, sod }, options).mrz.surname).toBe('DE BRUIJN');

      const dg1 = new Uint8Array(passport.dg1);
      dg1[10]! ^= 0x01;
      expect(() => passiveAuthentication({ ...passport, dg1, sod }, options)).toThrow(PassiveAuthError);
    });
  });
});
