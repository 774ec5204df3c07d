import { encodeTlv, readTlv, TlvError, unwrapTlv } from './tlv.js';

describe('ISO/IEC 7816-4 BER-TLV', () => {
  it.each([
    [0x61, 0, '6100'],
    [0x61, 0x7f, '617f'],
    [0x77, 0x80, '778180'],
    [0x5f1f, 0xff, '5f1f81ff'],
    [0x7f61, 0x100, '7f61820100'],
    [0x75, 0x10000, '7583010000'],
  ])('encodes tag %s with a %s-byte value minimally', (tag, length, header) => {
    const encoded = encodeTlv(tag, new Uint8Array(length));
    expect(Buffer.from(encoded.subarray(0, header.length / 2)).toString('hex')).toBe(header);
    expect(readTlv(encoded)).toEqual({ tag, value: new Uint8Array(length), end: encoded.length });
  });

  it('reads non-minimal lengths (BER allows them)', () => {
    expect(readTlv(Uint8Array.of(0x61, 0x82, 0x00, 0x01, 0xaa)).value).toEqual(Uint8Array.of(0xaa));
  });

  it.each([
    ['empty input', []],
    ['a missing length', [0x61]],
    ['a value running past the end', [0x61, 0x05, 0x00]],
    ['an indefinite length', [0x61, 0x80, 0x00, 0x00]],
    ['a five-byte length field', [0x61, 0x85, 0, 0, 0, 0, 1]],
    ['a four-byte tag', [0x5f, 0x81, 0x81, 0x01, 0x00]],
  ])('refuses %s', (_name, bytes) => {
    expect(() => readTlv(Uint8Array.from(bytes))).toThrow(TlvError);
  });

  it('unwraps exactly one element of the expected tag', () => {
    expect(unwrapTlv(Uint8Array.of(0x77, 0x01, 0xaa), 0x77)).toEqual(Uint8Array.of(0xaa));
    expect(() => unwrapTlv(Uint8Array.of(0x77, 0x01, 0xaa, 0x00), 0x77)).toThrow(/trailing/);
    expect(() => unwrapTlv(Uint8Array.of(0x61, 0x01, 0xaa), 0x77)).toThrow(/expected tag 0x77/);
  });
});
