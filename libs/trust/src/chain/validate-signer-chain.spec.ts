import { DomainError } from '#idtoken/platform';
import { certificateReferenceHex } from '../certificate-reference.js';
import { issueCertificate, type IssueCertificateOptions } from '../pki/issue-certificate.js';
import type { PkiCredential } from '../pki/pki-credential.js';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST } from '../vds-contract.js';
import { validateSignerChain, type SignerChainInput } from './validate-signer-chain.js';

const AT = new Date('2027-03-01T12:00:00Z');
const DAY = 24 * 3600 * 1000;
const days = (n: number) => new Date(AT.getTime() + n * DAY);

/** Factories: a valid anchor → CA → identity signer chain; each negative test changes exactly one thing. */
const anchorAt = (subject = 'CN=Test Anchor') =>
  issueCertificate({ role: 'anchor', subject, notBefore: days(-400), notAfter: days(3000) });
const caUnder = (issuer: PkiCredential, overrides: Partial<IssueCertificateOptions> = {}) =>
  issueCertificate({
    role: 'ca',
    subject: 'CN=Test CA',
    issuer,
    notBefore: days(-300),
    notAfter: days(1500),
    ...overrides,
  });
const signerUnder = (issuer: PkiCredential, overrides: Partial<IssueCertificateOptions> = {}) =>
  issueCertificate({
    role: 'signer',
    subject: 'CN=Test Identity Signer',
    issuer,
    notBefore: days(-30),
    notAfter: days(700),
    usageList: [IDENTITY_MANIFEST],
    ...overrides,
  });

async function expectUntrusted(input: SignerChainInput, check: string): Promise<void> {
  const attempt = validateSignerChain(input);
  await expect(attempt).rejects.toBeInstanceOf(DomainError);
  await expect(attempt).rejects.toMatchObject({ code: 'vds_untrusted_signer', extensions: { check } });
}

describe('validateSignerChain (spec §2 step 4)', () => {
  let anchor: PkiCredential;
  let ca: PkiCredential;
  let signer: PkiCredential;
  let valid: SignerChainInput;

  beforeAll(async () => {
    anchor = await anchorAt();
    ca = await caUnder(anchor);
    signer = await signerUnder(ca);
    valid = {
      signer: signer.certificate,
      manifestId: IDENTITY_MANIFEST,
      at: AT,
      anchors: [anchor.certificate],
      intermediates: [ca.certificate],
      isCertificateRevoked: () => false,
    };
  });

  it('accepts a signer that chains to a configured anchor, with the path signer → CA → anchor', async () => {
    const path = await validateSignerChain(valid);
    expect(path.map((certificate) => certificate.subject)).toEqual([
      'CN=Test Identity Signer',
      'CN=Test CA',
      'CN=Test Anchor',
    ]);
  });

  it('refuses a chain to an anchor that is not configured', async () => {
    const other = await anchorAt();
    await expectUntrusted({ ...valid, anchors: [other.certificate] }, 'no_path_to_anchor');
  });

  it('refuses a chain whose CA is not in the trust service list', async () => {
    await expectUntrusted({ ...valid, intermediates: [] }, 'no_path_to_anchor');
  });

  it('refuses a look-alike CA (same name, another key) even when it is listed', async () => {
    const lookAlike = await caUnder(await anchorAt('CN=Test Anchor'));
    const forged = await signerUnder(lookAlike);
    await expectUntrusted({ ...valid, signer: forged.certificate }, 'no_path_to_anchor');
  });

  it('refuses a chain whose CA has expired', async () => {
    const expiredCa = await caUnder(anchor, { notAfter: days(-1) });
    const under = await signerUnder(expiredCa);
    await expectUntrusted(
      { ...valid, signer: under.certificate, intermediates: [expiredCa.certificate] },
      'outside_validity',
    );
  });

  it('refuses a signer that is not yet valid at the given time', async () => {
    const early = await signerUnder(ca, { notBefore: days(1) });
    await expectUntrusted({ ...valid, signer: early.certificate }, 'outside_validity');
  });

  it('refuses the same valid chain when asked about a time after the signer expired', async () => {
    await expectUntrusted({ ...valid, at: days(701) }, 'outside_validity');
  });

  it('refuses a signer without a UsageList', async () => {
    const bare = await signerUnder(ca, { usageList: undefined });
    await expectUntrusted({ ...valid, signer: bare.certificate }, 'usage_list_missing');
  });

  it('refuses a signer whose UsageList lists another manifest', async () => {
    const serviceOnly = await signerUnder(ca, { usageList: [SERVICE_MANIFEST] });
    await expectUntrusted({ ...valid, signer: serviceOnly.certificate }, 'usage_list_mismatch');
  });

  it('refuses a valid identity signer asked to vouch for a Service VDS', async () => {
    await expectUntrusted({ ...valid, manifestId: SERVICE_MANIFEST }, 'usage_list_mismatch');
  });

  it('refuses a chain whose CA certificate reference is revoked', async () => {
    const revoked = certificateReferenceHex(ca.certificateDer);
    await expectUntrusted(
      { ...valid, isCertificateRevoked: (reference) => reference === revoked },
      'certificate_revoked',
    );
  });

  it('refuses a signer whose own certificate reference is revoked', async () => {
    const revoked = certificateReferenceHex(signer.certificateDer);
    await expectUntrusted(
      { ...valid, isCertificateRevoked: (reference) => reference === revoked },
      'certificate_revoked',
    );
  });

  it('refuses a chain through an end-entity certificate used as a CA', async () => {
    const endEntity = await issueCertificate({
      role: 'signer',
      subject: 'CN=Test CA',
      issuer: anchor,
      notBefore: days(-300),
      notAfter: days(1500),
    });
    const under = await signerUnder(endEntity);
    await expectUntrusted({ ...valid, signer: under.certificate, intermediates: [endEntity.certificate] }, 'not_a_ca');
  });

  it('refuses a second CA level below a CA whose path length is 0', async () => {
    const subCa = await caUnder(ca, { subject: 'CN=Test Sub CA' });
    const under = await signerUnder(subCa);
    await expectUntrusted(
      { ...valid, signer: under.certificate, intermediates: [ca.certificate, subCa.certificate] },
      'path_length',
    );
  });
});
