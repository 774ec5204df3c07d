// Checks the committed vectors (it never regenerates them: ECDSA signatures are randomised).
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPublicKey, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpackMap } from '../src/codec/messagepack.js';
import { rawSignatureToDer } from '../src/testing/ecdsa-der.js';
import { TestTrust } from '../src/testing/vds-test-kit.js';
import { VdsError, decodeVds, toVdsText, verifyVds, type VdsErrorCode } from '../src/index.js';

interface Vector {
  description: string;
  manifestId: string;
  publicKeyJwk: JsonWebKey;
  text: string;
  binaryHex: string;
  fingerprint: string | null;
  payload: Record<string, unknown> | null;
  valid: boolean;
  error?: VdsErrorCode;
}

interface VectorFile {
  note: string;
  verificationTime: string;
  signerCertificate: string;
  signerCertificateReference: string;
  signerPrivateKeyJwk: JsonWebKey;
  vectors: Vector[];
}

const file = JSON.parse(readFileSync(new URL('./vds-vectors.json', import.meta.url), 'utf8')) as VectorFile;
const certificateDer = new Uint8Array(Buffer.from(file.signerCertificate, 'base64'));
const now = new Date(file.verificationTime);
const trust = () => new TestTrust([{ certificateDer, publicKey: new X509Certificate(certificateDer).publicKey }]);

const payloadAsJson = (payloadBytes: Uint8Array) =>
  JSON.parse(
    JSON.stringify(unpackMap(payloadBytes), (_key, value: unknown) =>
      ArrayBuffer.isView(value) ? Buffer.from(value as Uint8Array).toString('hex') : value,
    ),
  ) as Record<string, unknown>;

describe('published test vectors (libs/vds/test-vectors/vds-vectors.json, spec §2)', () => {
  it('say that their keys are test keys', () => {
    expect(file.note).toMatch(/TEST KEYS/);
  });

  it('give a private key, a certificate and per-vector public keys that are one key pair', () => {
    const fromPrivate = createPublicKey({ key: file.signerPrivateKeyJwk, format: 'jwk' }).export({ format: 'jwk' });
    const fromCertificate = new X509Certificate(certificateDer).publicKey.export({ format: 'jwk' });
    expect(fromCertificate).toEqual(fromPrivate);
    for (const vector of file.vectors) expect(vector.publicKeyJwk).toEqual(fromPrivate);
  });

  it('cover both manifests, AUXDATA and each failure that needs no trust store', () => {
    const valid = file.vectors.filter((vector) => vector.valid);
    expect(new Set(valid.map((vector) => vector.manifestId))).toEqual(new Set(['0a0001', '0a0002']));
    expect(valid.some((vector) => vector.description.includes('AUXDATA'))).toBe(true);
    expect(new Set(file.vectors.map((vector) => vector.error).filter(Boolean))).toEqual(
      new Set(['vds_malformed', 'vds_schema', 'vds_bad_signature', 'vds_expired']),
    );
  });

  describe.each(file.vectors.map((vector) => [vector.description, vector] as const))('%s', (_description, vector) => {
    const binary = new Uint8Array(Buffer.from(vector.binaryHex, 'hex'));

    it('has a text form that is "VDS1:" + Base45 of binaryHex', () => {
      expect(vector.text).toBe(toVdsText(binary));
    });

    if (vector.fingerprint === null) {
      it('does not decode (vds_malformed), from its text or its hex', () => {
        for (const input of [vector.text, vector.binaryHex]) {
          expect(() => decodeVds(input)).toThrow(expect.objectContaining({ code: 'vds_malformed' }));
        }
        expect(vector.payload).toBeNull();
      });
    } else {
      it('decodes to its fingerprint, manifest ID and payload', () => {
        const decoded = decodeVds(vector.text);
        expect(decoded.fingerprint).toBe(vector.fingerprint);
        expect(decoded.manifestId.toString(16).padStart(6, '0')).toBe(vector.manifestId);
        expect(Buffer.from(decoded.certificateReference).toString('hex')).toBe(file.signerCertificateReference);
        expect(payloadAsJson(decoded.payloadBytes)).toEqual(vector.payload);
      });
    }

    if (vector.valid) {
      it(`verifies at ${file.verificationTime}`, async () => {
        const verified = await verifyVds(vector.text, { trust: trust(), now });
        expect(verified.decoded.fingerprint).toBe(vector.fingerprint);
      });
    } else {
      it(`fails with ${vector.error}`, async () => {
        const failure = verifyVds(vector.text, { trust: trust(), now });
        await expect(failure).rejects.toBeInstanceOf(VdsError);
        await expect(failure).rejects.toMatchObject({ code: vector.error });
      });
    }
  });

  it('verify with openssl, which takes the key from the committed certificate and slices the binary itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idtoken-vds-vectors-'));
    const path = (name: string) => join(dir, name);
    try {
      writeFileSync(path('cert.der'), certificateDer);
      const pem = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', path('cert.der'), '-pubkey', '-noout']);
      writeFileSync(path('pub.pem'), pem);
      for (const vector of file.vectors.filter((v) => v.valid)) {
        // spec §2 layout, read by hand: payload length at bytes 21–24, the payload after the 25-byte head.
        const binary = Buffer.from(vector.binaryHex, 'hex');
        const payloadEnd = 25 + binary.readUInt32BE(21);
        writeFileSync(path('payload.bin'), binary.subarray(25, payloadEnd));
        const payloadDigest = execFileSync('openssl', ['dgst', '-sha256', '-binary', path('payload.bin')]);
        writeFileSync(path('msg.bin'), Buffer.concat([binary.subarray(0, 25), payloadDigest]));
        writeFileSync(path('sig.der'), rawSignatureToDer(binary.subarray(payloadEnd, payloadEnd + 64)));
        const args = ['dgst', '-sha256', '-verify', path('pub.pem'), '-signature', path('sig.der'), path('msg.bin')];
        expect(spawnSync('openssl', args, { encoding: 'utf8' }).stdout.trim()).toBe('Verified OK');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keep the fingerprint of a credential when AUXDATA is added', () => {
    const [plain, withAux] = file.vectors;
    expect(withAux!.description).toMatch(/AUXDATA/);
    expect(withAux!.fingerprint).toBe(plain!.fingerprint);
    expect(withAux!.binaryHex.startsWith(plain!.binaryHex)).toBe(true);
  });
});
