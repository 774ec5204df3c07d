import { generateKeyPairSync, sign } from 'node:crypto';
import { DerSignatureError, parseStrictDerSignature, verifyDeviceSignature } from './der-signature.js';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const message = 'push-token|tok|1700000000|abc';

/** DER of SEQUENCE { INTEGER r, INTEGER s } from raw integer contents — to craft hostile encodings. */
function der(rBytes: number[], sBytes: number[], options: { longLength?: boolean; trailing?: number[] } = {}): Buffer {
  const body = [0x02, rBytes.length, ...rBytes, 0x02, sBytes.length, ...sBytes];
  const length = options.longLength ? [0x81, body.length] : [body.length];
  return Buffer.from([0x30, ...length, ...body, ...(options.trailing ?? [])]);
}

function integerBytes(value: bigint): number[] {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = [...Buffer.from(hex, 'hex')];
  return bytes[0]! & 0x80 ? [0, ...bytes] : bytes;
}

describe('strict DER device signatures (spec §5.1)', () => {
  const good = sign('sha256', Buffer.from(message), { key: privateKey, dsaEncoding: 'der' });
  const { r, s } = parseStrictDerSignature(good);

  it('accepts the DER signature a secure element emits, and verifies it', () => {
    expect(verifyDeviceSignature(publicKey, message, good)).toBe(true);
    expect(verifyDeviceSignature(publicKey, `${message}x`, good)).toBe(false);
  });

  it('refuses the raw r‖s form', () => {
    const raw = sign('sha256', Buffer.from(message), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(() => verifyDeviceSignature(publicKey, message, raw)).toThrow(DerSignatureError);
  });

  it.each([
    ['r = 0', () => der([0], integerBytes(s)), 'out_of_range'],
    ['s = 0', () => der(integerBytes(r), [0]), 'out_of_range'],
    ['r = n', () => der(integerBytes(N), integerBytes(s)), 'out_of_range'],
    ['s = n + 1', () => der(integerBytes(r), integerBytes(N + 1n)), 'out_of_range'],
    ['a negative r', () => der([0x80, ...integerBytes(r).slice(-31)], integerBytes(s)), 'integer_not_minimal'],
    ['a needless leading zero', () => der([0x00, 0x01], integerBytes(s)), 'integer_not_minimal'],
    ['a long-form length', () => der(integerBytes(r), integerBytes(s), { longLength: true }), 'non_canonical'],
    ['trailing bytes', () => der(integerBytes(r), integerBytes(s), { trailing: [0] }), 'not_der'],
    ['garbage', () => Buffer.from('not a signature'), 'not_der'],
    [
      'a BIT STRING where r belongs',
      () => Buffer.from(der(integerBytes(r), integerBytes(s)).map((b, i) => (i === 2 ? 0x03 : b))),
      'not_der',
    ],
    [
      'an INTEGER longer than the SEQUENCE',
      () => Buffer.from(der(integerBytes(r), integerBytes(s)).map((b, i) => (i === 3 ? 0x7f : b))),
      'not_der',
    ],
    [
      'a long-form INTEGER length',
      () => Buffer.from([0x30, 0x06, 0x02, 0x81, 0x01, 0x01, 0x02, 0x01]),
      'non_canonical',
    ],
    ['one INTEGER only', () => Buffer.from([0x30, 0x06, 0x02, 0x04, 0x01, 0x02, 0x03, 0x04]), 'not_der'],
    ['nothing', () => Buffer.alloc(0), 'not_der'],
  ])('refuses %s', (_, build, defect) => {
    let caught: unknown;
    try {
      verifyDeviceSignature(publicKey, message, build());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DerSignatureError);
    // Trailing data may surface as a parse failure or a re-encoding mismatch, depending on the parser.
    if (defect !== 'not_der') expect((caught as DerSignatureError).defect).toBe(defect);
  });

  it('accepts the same signature re-encoded exactly (the round trip is byte-identical)', () => {
    expect(der(integerBytes(r), integerBytes(s))).toEqual(good);
  });
});
