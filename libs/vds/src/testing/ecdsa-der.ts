// Raw r ‖ s ⇄ X9.62 ECDSA-Sig-Value (DER), for handing our signatures to openssl in tests.
import { ECDSASigValue } from '@peculiar/asn1-ecc';
import { AsnConvert } from '@peculiar/asn1-schema';

/** DER INTEGER contents for an unsigned big-endian scalar: no leading zero bytes, one 0x00 if the top bit is set. */
function derIntegerContents(scalar: Uint8Array): ArrayBuffer {
  let start = 0;
  while (start < scalar.length - 1 && scalar[start] === 0) start += 1;
  const minimal = scalar.subarray(start);
  const contents = minimal[0] & 0x80 ? Buffer.concat([Buffer.of(0), minimal]) : Buffer.from(minimal);
  return new Uint8Array(contents).buffer;
}

export function rawSignatureToDer(raw: Uint8Array): Buffer {
  const value = new ECDSASigValue({
    r: derIntegerContents(raw.subarray(0, 32)),
    s: derIntegerContents(raw.subarray(32)),
  });
  return Buffer.from(AsnConvert.serialize(value));
}

export function derSignatureToRaw(der: Uint8Array): Uint8Array {
  const value = AsnConvert.parse(der, ECDSASigValue);
  const fixed = (integer: ArrayBuffer) => Buffer.from(integer).subarray(-32).toString('hex').padStart(64, '0');
  return new Uint8Array(Buffer.from(fixed(value.r) + fixed(value.s), 'hex'));
}
