// Independent peer (CONVENTIONS.md): openssl, not our own verifier, decides whether our signatures are good.
import { execFileSync, spawnSync } from 'node:child_process';
import { verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeVds } from '../codec/decode-vds.js';
import { derSignatureToRaw, rawSignatureToDer } from '../testing/ecdsa-der.js';
import { createTestSigner, signIdentity, signService, type TestSigner } from '../testing/vds-test-kit.js';
import { toLowS } from './p256.js';
import { vdsSignedMessage } from './signed-message.js';
import { verifySignatureOnly } from './verify-signature.js';

describe('VDS signatures checked with the openssl CLI (spec §2 SIGNATURE)', () => {
  let signer: TestSigner;
  let dir: string;
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' });

  beforeAll(async () => {
    signer = await createTestSigner();
    dir = mkdtempSync(join(tmpdir(), 'idtoken-vds-openssl-'));
    writeFileSync(file('pub.pem'), signer.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(file('key.pem'), signer.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Writes the message as openssl would build it from the binary — PREFIX ‖ HEADER (bytes 0–24) ‖ the SHA-256 of the
   * PAYLOAD computed by `openssl dgst` — and the signature as DER; returns the openssl verdict.
   */
  function verifyWithOpenssl(binary: Uint8Array, tamper?: (message: Buffer) => void): string {
    const decoded = decodeVds(binary);
    writeFileSync(file('payload.bin'), decoded.payloadBytes);
    const payloadDigest = execFileSync('openssl', ['dgst', '-sha256', '-binary', file('payload.bin')]);
    const message = Buffer.concat([decoded.binary.subarray(0, 25), payloadDigest]);
    expect(message).toEqual(Buffer.from(vdsSignedMessage(decoded)));
    tamper?.(message);
    writeFileSync(file('msg.bin'), message);
    writeFileSync(file('sig.der'), rawSignatureToDer(decoded.signature));
    const result = openssl(
      'dgst',
      '-sha256',
      '-verify',
      file('pub.pem'),
      '-signature',
      file('sig.der'),
      file('msg.bin'),
    );
    return `${result.stdout}${result.stderr}`.trim();
  }

  it.each([
    ['an identity VDS', () => signIdentity(signer)],
    ['a Service VDS', () => signService(signer)],
  ])('openssl verifies %s: "Verified OK"', (_kind, sign) => {
    for (let round = 0; round < 5; round += 1) expect(verifyWithOpenssl(sign())).toBe('Verified OK');
  });

  it('openssl refuses the signature when one bit of the signed message changes', () => {
    const verdict = verifyWithOpenssl(signIdentity(signer), (message) => {
      message[30]! ^= 0x01; // inside SHA-256(PAYLOAD)
    });
    expect(verdict).toMatch(/Verification failure/);
    expect(verifyWithOpenssl(signIdentity(signer), (message) => (message[8]! ^= 0x01))).toMatch(/Verification failure/);
  });

  it('converts raw r ‖ s to DER that OpenSSL parses strictly, whatever the top bits of r and s', () => {
    // Half of all r and s have the top bit set (DER then needs a 0x00): 64 signatures cover both cases.
    for (let round = 0; round < 64; round += 1) {
      const decoded = decodeVds(signIdentity(signer));
      const der = rawSignatureToDer(decoded.signature);
      expect(verify('sha256', vdsSignedMessage(decoded), { key: signer.publicKey, dsaEncoding: 'der' }, der)).toBe(
        true,
      );
      expect(derSignatureToRaw(der)).toEqual(decoded.signature);
    }
  });

  it('we verify a signature openssl made over the same message (after low-s normalisation)', () => {
    const decoded = decodeVds(signIdentity(signer));
    writeFileSync(file('msg.bin'), vdsSignedMessage(decoded));
    execFileSync('openssl', [
      'dgst',
      '-sha256',
      '-sign',
      file('key.pem'),
      '-out',
      file('openssl-sig.der'),
      file('msg.bin'),
    ]);
    const raw = toLowS(derSignatureToRaw(readFileSync(file('openssl-sig.der'))));
    expect(verifySignatureOnly({ ...decoded, signature: raw }, signer.publicKey)).toBe(true);
  });
});
