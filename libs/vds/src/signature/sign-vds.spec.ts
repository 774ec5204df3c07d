import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { decodeVds } from '../codec/decode-vds.js';
import { packMap } from '../codec/messagepack.js';
import {
  SIGNING_TIME,
  createTestSigner,
  identityPayload,
  servicePayload,
  signIdentity,
  signTestVds,
  type TestSigner,
} from '../testing/vds-test-kit.js';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST, type SignVdsInput } from '../types.js';
import { VdsError } from '../vds-error.js';
import { P256_ORDER } from './p256.js';
import { signVds } from './sign-vds.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

describe('signVds (spec §2)', () => {
  let signer: TestSigner;
  let input: SignVdsInput;
  beforeAll(async () => {
    signer = await createTestSigner();
    input = {
      iac: 'IDT',
      cin: 0x01,
      manifestId: IDENTITY_MANIFEST,
      certificateDer: signer.certificateDer,
      signingTime: SIGNING_TIME,
      payload: identityPayload(),
      privateKey: signer.privateKey,
    };
  });

  it('signs SHA-256(PREFIX ‖ HEADER ‖ SHA-256(PAYLOAD)) with the certificate’s key, raw r ‖ s', () => {
    const binary = signVds(input);
    const payloadLength = Buffer.from(binary).readUInt32BE(21);
    const head = binary.subarray(0, 25);
    const payload = binary.subarray(25, 25 + payloadLength);
    const signature = binary.subarray(25 + payloadLength);
    expect(signature).toHaveLength(64);
    const message = Buffer.concat([head, sha256(payload)]);
    expect(verify('sha256', message, { key: signer.publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
  });

  it('writes the prefix, header fields and the certificate reference = SHA-256(certificate DER)[0..8]', () => {
    const decoded = decodeVds(signVds({ ...input, cin: 0x03, signingTime: 0xffff_ffff }));
    expect(decoded).toMatchObject({
      iac: 'IDT',
      cin: 0x03,
      version: 1,
      manifestId: 0x0a0001,
      signingTime: 0xffff_ffff,
    });
    expect(Buffer.from(decoded.certificateReference)).toEqual(sha256(signer.certificateDer).subarray(0, 8));
  });

  it('encodes the payload as a MessagePack map with sorted keys, leaving out undefined optional keys', () => {
    const payload = { ...identityPayload(), sex: undefined };
    const decoded = decodeVds(signVds({ ...input, payload }));
    const reordered = Object.fromEntries(
      Object.entries(identityPayload())
        .reverse()
        .filter(([key]) => key !== 'sex'),
    );
    expect(decoded.payloadBytes).toEqual(packMap(reordered));
    expect(Buffer.from(decoded.payloadBytes).includes('sex')).toBe(false);
  });

  it('appends AUXDATA after the signature, outside what is signed', () => {
    const plain = decodeVds(signVds(input));
    const decoded = decodeVds(signVds({ ...input, auxData: { hint: 'unsigned' } }));
    expect(decoded.auxData).toEqual({ hint: 'unsigned' });
    expect(decoded.binary.subarray(0, 25 + decoded.payloadBytes.length)).toEqual(
      plain.binary.subarray(0, 25 + plain.payloadBytes.length),
    );
  });

  it('only ever produces low-s signatures (s ≤ n/2), so each credential has one fingerprint', () => {
    for (let round = 0; round < 40; round += 1) {
      const s = BigInt(`0x${Buffer.from(decodeVds(signVds(input)).signature.subarray(32)).toString('hex')}`);
      expect(s <= P256_ORDER / 2n).toBe(true);
    }
  });

  it('signs a Service VDS', () => {
    expect(decodeVds(signTestVds(signer, SERVICE_MANIFEST, servicePayload())).manifestId).toBe(0x0a0002);
  });

  it('refuses to sign an invalid payload, with vds_schema naming the key', () => {
    expect(() => signIdentity(signer, { gn: 'A'.repeat(40) })).toThrow(
      expect.objectContaining({ code: 'vds_schema', detail: expect.stringContaining('"gn"') }),
    );
    expect(() => signVds({ ...input, manifestId: SERVICE_MANIFEST })).toThrow(VdsError);
  });

  it('refuses a private key that does not belong to the certificate', async () => {
    const other = await createTestSigner('another signer');
    expect(() => signVds({ ...input, privateKey: other.privateKey })).toThrow(
      /does not belong to the signing certificate/,
    );
  });

  it.each([
    ['P-384', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey],
    ['Ed25519', () => generateKeyPairSync('ed25519').privateKey],
  ])('refuses a %s key', (_name, key) => {
    expect(() => signVds({ ...input, privateKey: key() })).toThrow(/P-256 private key/);
  });

  it('refuses a public key in place of the private key', () => {
    expect(() => signVds({ ...input, privateKey: signer.publicKey })).toThrow(/P-256 private key/);
  });

  it.each([
    ['an IAC in lower case', { iac: 'idt' }, /IAC/],
    ['an IAC of 4 letters', { iac: 'IDTK' }, /IAC/],
    ['an unknown CIN', { cin: 0x04 }, /CIN/],
    ['a negative signing time', { signingTime: -1 }, /signing time/],
    ['a signing time beyond uint32', { signingTime: 2 ** 32 }, /signing time/],
    ['a signing time in milliseconds with a fraction', { signingTime: 1.5 }, /signing time/],
  ])('refuses %s with a RangeError (a programming error, not a credential property)', (_case, change, message) => {
    expect(() => signVds({ ...input, ...change })).toThrow(RangeError);
    expect(() => signVds({ ...input, ...change })).toThrow(message);
  });
});
