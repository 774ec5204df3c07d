import { randomBytes } from 'node:crypto';
import { encodeDg1 } from '../testing/data-groups.js';
import {
  createTestCsca,
  createTestPassport,
  type TestCsca,
  type TestPassport,
  type TestPassportDefects,
} from '../testing/passport-factory.js';
import { buildSod } from '../testing/sod-builder.js';
import { issueTestDocumentSigner } from '../testing/test-document-signer.js';
import { activeAuthentication } from './active-authentication.js';
import { PassiveAuthError, type PassiveAuthCheck } from './passive-auth-error.js';
import { passiveAuthentication, type PassiveAuthInput } from './passive-authentication.js';
import { readSod } from './read-sod.js';

const DAY_MS = 86_400_000;

/** The check a document fails; fails the test if it passes or throws anything but PassiveAuthError. */
function failedCheck(input: PassiveAuthInput, cscas: readonly Uint8Array[]): PassiveAuthCheck {
  try {
    passiveAuthentication(input, { cscaCertificates: cscas, now: new Date() });
  } catch (error) {
    if (error instanceof PassiveAuthError) return error.check;
    throw error;
  }
  throw new Error('passive authentication accepted the document');
}

function authenticate(passport: TestPassport, csca: TestCsca) {
  return passiveAuthentication(passport, { cscaCertificates: [csca.certificateDer], now: new Date() });
}

describe('passiveAuthentication', () => {
  let csca: TestCsca;

  beforeAll(async () => {
    csca = await createTestCsca();
  });

  describe('accepts a genuine document', () => {
    it.each(['SHA-256', 'SHA-384', 'SHA-512'] as const)('a TD3 passport hashed with %s', async (hashAlgorithm) => {
      const passport = await createTestPassport({ csca, hashAlgorithm });

      const result = authenticate(passport, csca);

      expect(result.hashAlgorithm).toBe(hashAlgorithm);
      expect(result.documentSignerDer).toEqual(passport.documentSigner.certificateDer);
      expect(result.mrz).toEqual({
        documentType: 'P',
        issuingState: 'NLD',
        documentNumber: 'SPECI2024',
        nationality: 'NLD',
        birthDate: '1965-03-10',
        sex: 'F',
        expiryDate: `${new Date().getUTCFullYear() + 5}-08-02`,
        givenNames: 'WILLEKE LISELOTTE',
        surname: 'DE BRUIJN',
      });
    });

    it.each(['ecdsa', 'rsa'] as const)(
      'a passport with %s Active Authentication, DG15 covered by the SOD',
      async (aa) => {
        const passport = await createTestPassport({ csca, aa });
        const challenge = randomBytes(8);

        expect(() => authenticate(passport, csca)).not.toThrow();
        expect(
          activeAuthentication({ dg15: passport.dg15!, challenge, signature: passport.signChallenge(challenge) }),
        ).toEqual({ keyType: aa === 'ecdsa' ? 'ec' : 'rsa', hashAlgorithm: 'SHA-256' });
      },
    );

    it('a passport whose SOD lists DG15 when the station does not use Active Authentication', async () => {
      const { dg15: _unused, ...withoutDg15 } = await createTestPassport({ csca, aa: 'ecdsa' });
      expect(() =>
        passiveAuthentication(withoutDg15, { cscaCertificates: [csca.certificateDer], now: new Date() }),
      ).not.toThrow();
    });

    it('a TD1 identity card', async () => {
      const card = await createTestPassport({
        csca,
        mrz: {
          format: 'TD1',
          issuingState: 'D',
          nationality: 'D',
          documentNumber: 'T22000129',
          surname: 'MUSTERMANN',
          givenNames: 'ERIKA',
          birthDate: '1964-08-12',
          sex: 'X',
          expiryDate: '2030-10-31',
        },
      });

      expect(authenticate(card, csca).mrz).toEqual({
        documentType: 'ID',
        issuingState: 'D',
        documentNumber: 'T22000129',
        nationality: 'D',
        birthDate: '1964-08-12',
        sex: 'X',
        expiryDate: '2030-10-31',
        givenNames: 'ERIKA',
        surname: 'MUSTERMANN',
      });
    });

    it('unknown parts of the birth date as XX', async () => {
      const passport = await createTestPassport({ csca, mrz: { birthDate: '1985-XX-XX' } });
      expect(authenticate(passport, csca).mrz.birthDate).toBe('1985-XX-XX');
    });

    it('an RSA CSCA with an RSA PKCS#1 v1.5 Document Signer', async () => {
      const rsaCsca = await createTestCsca({ keyAlgorithm: 'RSA' });
      const passport = await createTestPassport({ csca: rsaCsca, dscKeyAlgorithm: 'RSA', hashAlgorithm: 'SHA-384' });
      expect(authenticate(passport, rsaCsca).hashAlgorithm).toBe('SHA-384');
    });

    it('an RSASSA-PSS CSCA with an RSASSA-PSS Document Signer', async () => {
      const pssCsca = await createTestCsca({ keyAlgorithm: 'RSA-PSS' });
      const passport = await createTestPassport({
        csca: pssCsca,
        dscKeyAlgorithm: 'RSA-PSS',
        hashAlgorithm: 'SHA-512',
      });
      expect(authenticate(passport, pssCsca).hashAlgorithm).toBe('SHA-512');
    });

    it('a P-384 CSCA with a P-384 Document Signer named by subjectKeyIdentifier', async () => {
      const p384Csca = await createTestCsca({ keyAlgorithm: 'P-384' });
      const passport = await createTestPassport({
        csca: p384Csca,
        dscKeyAlgorithm: 'P-384',
        signerIdentifier: 'subjectKeyIdentifier',
      });
      expect(() => authenticate(passport, p384Csca)).not.toThrow();
    });

    it('when the signing CSCA is one of several configured, next to a look-alike', async () => {
      const lookAlike = await createTestCsca(csca.options);
      const passport = await createTestPassport({ csca });
      expect(() =>
        passiveAuthentication(passport, {
          cscaCertificates: [lookAlike.certificateDer, new Uint8Array([1, 2, 3]), csca.certificateDer],
          now: new Date(),
        }),
      ).not.toThrow();
    });
  });

  describe('refuses a bad document with the check it fails', () => {
    const cases: { name: string; defects: TestPassportDefects; check: PassiveAuthCheck; aa?: 'ecdsa' }[] = [
      { name: 'DG1 changed after signing', defects: { tamperDg1: true }, check: 'dg1_hash' },
      { name: 'DG2 changed after signing', defects: { tamperDg2: true }, check: 'dg2_hash' },
      { name: 'DG15 changed after signing', defects: { tamperDg15: true }, check: 'dg15_hash', aa: 'ecdsa' },
      {
        name: 'a DSC issued by a look-alike CSCA (same name, other key)',
        defects: { dscSignedByOtherCsca: true },
        check: 'dsc_untrusted',
      },
      { name: 'an expired DSC', defects: { dscExpired: true }, check: 'dsc_expired' },
      { name: 'a SOD without the DSC', defects: { omitDscFromSod: true }, check: 'dsc_missing' },
      { name: 'a SOD whose signature was altered', defects: { alterSodSignature: true }, check: 'sod_signature' },
      {
        name: 'a SOD whose LDS Security Object was altered after signing',
        defects: { alterLdsAfterSigning: true },
        check: 'sod_signature',
      },
      {
        name: 'an LDS naming another hash algorithm than its hashes were made with',
        defects: { sodHashAlgorithmMismatch: true },
        check: 'dg1_hash',
      },
      {
        name: 'an LDS hashed with SHA-1',
        defects: { ldsHashAlgorithmSha1: true },
        check: 'unsupported_hash_algorithm',
      },
      { name: 'a SOD without a hash for DG2', defects: { omitDg2FromSod: true }, check: 'dg2_missing' },
      {
        name: 'a SOD without a hash for DG15 when AA is used',
        defects: { omitDg15FromSod: true },
        check: 'dg15_missing',
        aa: 'ecdsa',
      },
      {
        name: 'an MRZ with a wrong check digit (and a SOD that signs it)',
        defects: { wrongMrzCheckDigit: true },
        check: 'mrz_check_digit',
      },
    ];

    it.each(cases)('$name', async ({ defects, check, aa }) => {
      const passport = await createTestPassport({ csca, defects, aa });
      expect(failedCheck(passport, [csca.certificateDer])).toBe(check);
    });

    it('an expired CSCA', async () => {
      const expiredCsca = await createTestCsca({
        notBefore: new Date(Date.now() - 3 * 365 * DAY_MS),
        notAfter: new Date(Date.now() - DAY_MS),
      });
      const passport = await createTestPassport({ csca: expiredCsca });
      expect(failedCheck(passport, [expiredCsca.certificateDer])).toBe('csca_expired');
    });

    it('a document whose CSCA is not configured', async () => {
      const passport = await createTestPassport({ csca });
      expect(failedCheck(passport, [])).toBe('dsc_untrusted');
    });

    it('garbage instead of a SOD', async () => {
      const passport = await createTestPassport({ csca });
      expect(failedCheck({ ...passport, sod: randomBytes(600) }, [csca.certificateDer])).toBe('sod_malformed');
    });

    it('a DG1 that the SOD signs but that holds no MRZ', async () => {
      const dg1 = encodeDg1(['NOT AN MRZ']);
      const passport = await createTestPassport({ csca });
      const signer = await issueTestDocumentSigner(csca, {
        keyAlgorithm: 'P-256',
        notBefore: new Date(Date.now() - DAY_MS),
        notAfter: new Date(Date.now() + DAY_MS),
      });
      const { sod } = buildSod({
        dataGroups: new Map([
          [1, dg1],
          [2, passport.dg2],
        ]),
        ldsHashAlgorithm: 'SHA-256',
        signatureHashAlgorithm: 'SHA-256',
        signer: { ...signer, scheme: 'ecdsa' },
      });
      expect(failedCheck({ dg1, dg2: passport.dg2, sod }, [csca.certificateDer])).toBe('mrz_malformed');
    });
  });

  describe('throws nothing but PassiveAuthError for hostile input', () => {
    let passport: TestPassport;

    beforeAll(async () => {
      passport = await createTestPassport({ csca, aa: 'ecdsa' });
    });

    /** Passing is allowed (a flip may land on an unsigned field); any other error type is not. */
    function expectOnlyPassiveAuthErrors(input: PassiveAuthInput): void {
      try {
        passiveAuthentication(input, { cscaCertificates: [csca.certificateDer], now: new Date() });
      } catch (error) {
        expect(error).toBeInstanceOf(PassiveAuthError);
      }
    }

    it('a SOD truncated at every length', () => {
      for (let length = 0; length < passport.sod.length; length++) {
        expect(failedCheck({ ...passport, sod: passport.sod.subarray(0, length) }, [csca.certificateDer])).toBe(
          'sod_malformed',
        );
      }
    });

    it('a SOD with bytes altered all along it', () => {
      // Every third byte, with a mask that varies, keeps this under two seconds while hitting every structure.
      for (let index = 0; index < passport.sod.length; index += 3) {
        const sod = new Uint8Array(passport.sod);
        sod[index]! ^= 1 << (index % 8);
        expectOnlyPassiveAuthErrors({ ...passport, sod });
      }
    });

    it('signed attributes whose length disagrees with their content (the parser would forgive it)', () => {
      const signedAttributes = Buffer.from(readSod(passport.sod).signedAttributesDer);
      signedAttributes[0] = 0xa0; // as they sit in the SignerInfo
      const at = Buffer.from(passport.sod).indexOf(signedAttributes);
      for (const delta of [-10, -1]) {
        const sod = new Uint8Array(passport.sod);
        sod[at + 1]! += delta;
        expect(failedCheck({ ...passport, sod }, [csca.certificateDer])).toBe('sod_malformed');
      }
    });

    it('random bytes, bare and inside a 0x77 wrapper', () => {
      for (let round = 0; round < 300; round++) {
        const noise = randomBytes(round % 50 === 0 ? 0 : 1 + ((round * 37) % 2048));
        expect(failedCheck({ ...passport, sod: noise }, [csca.certificateDer])).toBe('sod_malformed');
        const wrapped = new Uint8Array([0x77, 0x82, noise.length >> 8, noise.length & 0xff, ...noise]);
        expect(failedCheck({ ...passport, sod: wrapped }, [csca.certificateDer])).toBe('sod_malformed');
      }
    });

    it('random data groups and random CSCAs', () => {
      expectOnlyPassiveAuthErrors({
        dg1: randomBytes(90),
        dg2: randomBytes(10),
        sod: passport.sod,
        dg15: randomBytes(5),
      });
      expect(failedCheck(passport, [randomBytes(300), new Uint8Array(0), csca.certificateDer.subarray(0, 100)])).toBe(
        'dsc_untrusted',
      );
    });
  });
});
