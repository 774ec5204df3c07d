import { decodeVds } from '../codec/decode-vds.js';
import { packMap } from '../codec/messagepack.js';
import { certificateReference } from '../codec/digests.js';
import { toVdsText } from '../codec/text-form.js';
import {
  createTestSigner,
  flipBitInText,
  identityPayload,
  servicePayload,
  signIdentity,
  signPayloadBytes,
  signService,
  signTestVds,
  TestTrust,
  type TestSigner,
} from '../testing/vds-test-kit.js';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST, type VdsErrorCode, type VdsSigner, type VdsTrust } from '../types.js';
import { VdsError } from '../vds-error.js';
import { verifyVds } from './verify-vds.js';
import { VerifiedVdsCache } from './verified-vds-cache.js';

// Identity payloads expire 2030-12-31, Service payloads one year after 2026-01-01.
const NOW = new Date('2026-06-01T12:00:00Z');

describe('verifyVds (spec §2, "Verification of a VDS")', () => {
  let signer: TestSigner;
  let stranger: TestSigner;
  let trust: TestTrust;
  beforeAll(async () => {
    [signer, stranger] = await Promise.all([createTestSigner('signer'), createTestSigner('stranger')]);
  });
  beforeEach(() => {
    trust = new TestTrust([signer]);
  });

  async function failure(
    input: string | Uint8Array,
    options: { trust?: VdsTrust; now?: Date } = {},
  ): Promise<VdsError> {
    try {
      await verifyVds(input, { trust: options.trust ?? trust, now: options.now ?? NOW });
    } catch (error) {
      expect(error).toBeInstanceOf(VdsError);
      return error as VdsError;
    }
    throw new Error('verifyVds accepted the credential');
  }
  const failsWith = async (
    input: string | Uint8Array,
    code: VdsErrorCode,
    options?: { trust?: VdsTrust; now?: Date },
  ) => expect((await failure(input, options)).code).toBe(code);

  describe('accepts a good credential', () => {
    it('an identity VDS, in its text form, with the payload typed and the signer', async () => {
      const text = toVdsText(signIdentity(signer));
      const verified = await verifyVds(text, { trust, now: NOW, expectedManifestId: IDENTITY_MANIFEST });
      expect(verified.payload).toEqual(identityPayload());
      expect(verified.payload.tid).toBe('3f2504e0-4f89-41d3-9a0c-0305e82c3301');
      expect(verified.decoded.fingerprint).toBe(decodeVds(text).fingerprint);
      expect(verified.signer.certificateDer).toEqual(signer.certificateDer);
    });

    it('a Service VDS given as b64', async () => {
      const b64 = Buffer.from(signService(signer)).toString('base64');
      const verified = await verifyVds(b64, { trust, now: NOW, expectedManifestId: SERVICE_MANIFEST });
      expect(verified.payload).toEqual(servicePayload());
      expect(verified.payload.scp).toEqual(['identity:basic', 'identity:age_over_18']);
    });

    it('asks the trust store about the signer at the verification instant', async () => {
      await verifyVds(signIdentity(signer), { trust, now: NOW });
      expect(trust.checkedAt).toEqual([NOW]);
    });

    it('ignores AUXDATA, which is never trusted', async () => {
      const binary = signTestVds(signer, IDENTITY_MANIFEST, identityPayload(), { auxData: { gn: 'MALLORY' } });
      const verified = await verifyVds(binary, { trust, now: NOW });
      expect(verified.payload).toMatchObject({ gn: 'ANNA MARIA' });
      expect(verified.decoded.auxData).toEqual({ gn: 'MALLORY' });
    });
  });

  describe('reports each failure with its own code', () => {
    it('1. vds_malformed: not a VDS', async () => {
      await failsWith('VDS1:not base45', 'vds_malformed');
    });

    it('2. vds_schema: unknown manifest', async () => {
      const binary = new Uint8Array(signIdentity(signer));
      binary[8] = 0x03; // manifest 0x0A0003
      await failsWith(binary, 'vds_schema');
    });

    it('2. vds_schema: a manifest other than the one the caller expects', async () => {
      const error = verifyVds(signIdentity(signer), { trust, now: NOW, expectedManifestId: SERVICE_MANIFEST });
      await expect(error).rejects.toMatchObject({
        code: 'vds_schema',
        detail: 'expected manifest 0x0A0002, got 0x0A0001',
      });
    });

    it('2. vds_schema: a payload the signer did sign but the manifest refuses', async () => {
      const payload = packMap({ ...identityPayload(), nickname: 'ANNIE' });
      const binary = signPayloadBytes(signer, IDENTITY_MANIFEST, payload);
      expect(await failure(binary)).toMatchObject({
        code: 'vds_schema',
        detail: expect.stringMatching(/unknown key "nickname"/),
      });
    });

    it('3. vds_unknown_signer: no certificate with that reference', async () => {
      await failsWith(signIdentity(stranger), 'vds_unknown_signer');
    });

    it('3. vds_unknown_signer: the store answers with a certificate of another reference', async () => {
      const confused: VdsTrust = { ...trustMethods(trust), findSigner: async () => stranger };
      await failsWith(signIdentity(signer), 'vds_unknown_signer', { trust: confused });
    });

    it('4. vds_untrusted_signer: the trust store refuses the signer, and its reason is kept', async () => {
      const reason = new Error('the chain does not end at a configured trust anchor');
      trust.untrustedReason = reason;
      const error = await failure(signIdentity(signer));
      expect(error).toMatchObject({ code: 'vds_untrusted_signer', cause: reason });
      expect(error.detail).toMatch(/does not end at a configured trust anchor/);
    });

    it('4. vds_untrusted_signer: whatever the store rejects with, even a non-Error', async () => {
      trust.untrustedReason = 'usage list lacks 0x0A0001';
      expect(await failure(signIdentity(signer))).toMatchObject({ code: 'vds_untrusted_signer' });
      trust.untrustedReason = new VdsError('vds_revoked', 'signing certificate revoked');
      expect(await failure(signIdentity(signer))).toMatchObject({ code: 'vds_untrusted_signer' });
    });

    it('5. vds_bad_signature: one bit flipped in the payload', async () => {
      await failsWith(flipBitInText(signIdentity(signer), 'ERIKSSON'), 'vds_bad_signature');
    });

    it('5. vds_bad_signature: one bit flipped in the signature', async () => {
      const binary = new Uint8Array(signIdentity(signer));
      binary[binary.length - 1]! ^= 0x01;
      await failsWith(binary, 'vds_bad_signature');
    });

    it('5. vds_bad_signature: a header pointing at a certificate whose key did not sign', async () => {
      const binary = new Uint8Array(signIdentity(stranger));
      binary.set(certificateReference(signer.certificateDer), 9);
      await failsWith(binary, 'vds_bad_signature');
    });

    it('6. vds_expired: an identity VDS the day after its exp', async () => {
      const binary = signIdentity(signer, { exp: '2026-05-31' });
      const error = await failure(binary);
      expect(error).toMatchObject({
        code: 'vds_expired',
        detail: 'the credential expired at 2026-06-01T00:00:00.000Z',
      });
      await expect(verifyVds(binary, { trust, now: new Date('2026-05-31T23:59:59Z') })).resolves.toBeDefined();
    });

    it('6. vds_expired: a Service VDS at its exp', async () => {
      const binary = signService(signer, { iat: 1_700_000_000, exp: NOW.getTime() / 1000 });
      await failsWith(binary, 'vds_expired');
      await expect(verifyVds(binary, { trust, now: new Date(NOW.getTime() - 1000) })).resolves.toBeDefined();
    });

    it('7. vds_revoked: the fingerprint is on the revocation list', async () => {
      const binary = signIdentity(signer);
      trust.revoked.add(decodeVds(binary).fingerprint);
      await failsWith(binary, 'vds_revoked');
    });

    it('7. vds_revoked: AUXDATA does not change the fingerprint, so it cannot dodge revocation', async () => {
      const plain = signIdentity(signer);
      trust.revoked.add(decodeVds(plain).fingerprint);
      const withAux = new Uint8Array(Buffer.concat([plain, Uint8Array.of(0x81, 0xa1, 0x78, 0x01)]));
      await failsWith(withAux, 'vds_revoked');
    });
  });

  describe('checks in the spec’s order: the first failing step is the one reported', () => {
    it('malformed before anything else (the trust store is never asked)', async () => {
      const untouchable: VdsTrust = {
        findSigner: () => Promise.reject(new Error('must not be called')),
        checkSigner: () => Promise.reject(new Error('must not be called')),
        isRevoked: () => Promise.reject(new Error('must not be called')),
      };
      await failsWith(signIdentity(signer).subarray(0, 30), 'vds_malformed', { trust: untouchable });
    });

    it('schema before unknown signer', async () => {
      const binary = new Uint8Array(signIdentity(stranger));
      binary[8] = 0x03;
      await failsWith(binary, 'vds_schema');
    });

    it('untrusted signer before bad signature', async () => {
      trust.untrustedReason = new Error('outside its validity period');
      await failsWith(flipBitInText(signIdentity(signer), 'ERIKSSON'), 'vds_untrusted_signer');
    });

    it('bad signature before expired (a credential both expired and badly signed)', async () => {
      const expired = signIdentity(signer, { exp: '2026-01-31' });
      await failsWith(expired, 'vds_expired');
      await failsWith(flipBitInText(expired, 'ERIKSSON'), 'vds_bad_signature');
    });

    it('expired before revoked', async () => {
      const binary = signService(signer, { iat: 1_700_000_000, exp: 1_700_000_001 });
      trust.revoked.add(decodeVds(binary).fingerprint);
      await failsWith(binary, 'vds_expired');
    });
  });

  describe('with a cache of credentials that passed', () => {
    const serviceText = () => toVdsText(signService(signer));
    const asService = (text: string, cache: VerifiedVdsCache, options: { trust?: VdsTrust; now?: Date } = {}) =>
      verifyVds(text, {
        trust: options.trust ?? trust,
        now: options.now ?? NOW,
        expectedManifestId: SERVICE_MANIFEST,
        cache,
      });
    const failsFromCache = async (promise: Promise<unknown>, code: VdsErrorCode) => {
      const error = await promise.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(VdsError);
      expect((error as VdsError).code).toBe(code);
    };

    it('keeps a credential that passed and answers it the same way again', async () => {
      const cache = new VerifiedVdsCache();
      const text = serviceText();
      const first = await asService(text, cache);
      expect(cache.has(text)).toBe(true);
      const again = await asService(text, cache);
      expect(again.payload).toEqual(servicePayload());
      expect(again.decoded.fingerprint).toBe(first.decoded.fingerprint);
      expect(again.signer.certificateDer).toEqual(signer.certificateDer);
    });

    it('still judges the signer, expiry and revocation at every verification', async () => {
      const cache = new VerifiedVdsCache();
      const text = serviceText();
      await asService(text, cache);
      trust.untrustedReason = new Error('the signer left the trust list');
      await failsFromCache(asService(text, cache), 'vds_untrusted_signer');
      trust.untrustedReason = undefined;
      // The service payload expires a year after signing.
      await failsFromCache(asService(text, cache, { now: new Date('2027-06-01T00:00:00Z') }), 'vds_expired');
      trust.revoked.add(decodeVds(text).fingerprint);
      await failsFromCache(asService(text, cache), 'vds_revoked');
      await failsFromCache(asService(text, cache, { trust: new TestTrust([stranger]) }), 'vds_unknown_signer');
    });

    it('verifies the signature again when the trust store answers with another key for the certificate', async () => {
      const cache = new VerifiedVdsCache();
      const text = serviceText();
      await asService(text, cache);
      const swapped: VdsTrust = {
        ...trustMethods(trust),
        findSigner: async () => ({ certificateDer: signer.certificateDer, publicKey: stranger.publicKey }),
      };
      await failsFromCache(asService(text, cache, { trust: swapped }), 'vds_bad_signature');
    });

    it('refuses a cached Service VDS where another manifest is expected', async () => {
      const cache = new VerifiedVdsCache();
      const text = serviceText();
      await asService(text, cache);
      await failsFromCache(
        verifyVds(text, { trust, now: NOW, expectedManifestId: IDENTITY_MANIFEST, cache }),
        'vds_schema',
      );
    });

    it('keeps nothing that failed, and only the most recently used up to its bound', async () => {
      const cache = new VerifiedVdsCache(2);
      const forged = toVdsText(flipBitInText(signService(signer), 'Demo Shop'));
      await failsFromCache(asService(forged, cache), 'vds_bad_signature');
      const late = toVdsText(signService(signer, { iat: 1_700_000_000, exp: 1_700_000_001 }));
      await failsFromCache(asService(late, cache), 'vds_expired');
      expect(cache.size).toBe(0);
      const [a, b, c] = ['shop-a', 'shop-b', 'shop-c'].map((sid) => toVdsText(signService(signer, { sid })));
      await asService(a!, cache);
      await asService(b!, cache);
      await asService(a!, cache);
      await asService(c!, cache);
      expect([cache.has(a!), cache.has(b!), cache.has(c!), cache.size]).toEqual([true, false, true, 2]);
    });
  });

  describe('trust store outages are not credential failures', () => {
    it('passes an error of findSigner through unchanged (so the caller answers 503, not 4xx)', async () => {
      const outage = new Error('TSL fetch failed');
      const down: VdsTrust = { ...trustMethods(trust), findSigner: () => Promise.reject(outage) };
      await expect(verifyVds(signIdentity(signer), { trust: down, now: NOW })).rejects.toBe(outage);
    });

    it('passes an error of isRevoked through unchanged', async () => {
      const outage = new Error('VRL unavailable');
      const down: VdsTrust = { ...trustMethods(trust), isRevoked: () => Promise.reject(outage) };
      await expect(verifyVds(signIdentity(signer), { trust: down, now: NOW })).rejects.toBe(outage);
    });
  });
});

/** The trust store's methods bound to it, to override one in a literal. */
function trustMethods(trust: TestTrust): VdsTrust {
  return {
    findSigner: (reference: Uint8Array) => trust.findSigner(reference),
    checkSigner: (signer: VdsSigner, manifestId: number, at: Date) => trust.checkSigner(signer, manifestId, at),
    isRevoked: (fingerprint: string) => trust.isRevoked(fingerprint),
  };
}
