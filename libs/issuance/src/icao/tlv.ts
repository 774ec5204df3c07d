/**
 * ISO/IEC 7816-4 BER-TLV, as used by the LDS data-group templates of ICAO 9303 part 10 (EF.SOD 0x77, DG1 0x61
 * holding 0x5F1F, DG2 0x75, DG15 0x6F). These application-class wrappers sit outside what @peculiar/asn1-schema
 * models (it knows universal and context tags only), so this file reads and writes just the tag and length; every
 * DER structure inside a template (ContentInfo, SubjectPublicKeyInfo) goes to the ASN.1 libraries.
 */

export class TlvError extends Error {
  override readonly name = 'TlvError';
}

export interface TlvElement {
  /** The tag bytes read as one big-endian number, e.g. 0x5F1F. */
  tag: number;
  value: Uint8Array;
  /** Offset just past this element. */
  end: number;
}

/** ISO/IEC 7816-4 allows at most three tag bytes; the LDS uses one or two. */
const MAX_TAG_BYTES = 3;
/** Lengths up to 0x84 (four length bytes) cover any file a chip can hold. */
const MAX_LENGTH_BYTES = 4;

export function readTlv(bytes: Uint8Array, offset = 0): TlvElement {
  let position = offset;
  const next = (): number => {
    if (position >= bytes.length) throw new TlvError('truncated TLV');
    return bytes[position++];
  };

  let tag = next();
  if ((tag & 0x1f) === 0x1f) {
    let tagBytes = 1;
    let byte: number;
    do {
      if (++tagBytes > MAX_TAG_BYTES) throw new TlvError('tag too long');
      byte = next();
      tag = tag * 0x100 + byte;
    } while (byte & 0x80);
  }

  let length = next();
  if (length === 0x80) throw new TlvError('indefinite length is not allowed in the LDS');
  if (length > 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes > MAX_LENGTH_BYTES) throw new TlvError('length field too long');
    length = 0;
    for (let i = 0; i < lengthBytes; i++) length = length * 0x100 + next();
  }

  const end = position + length;
  if (end > bytes.length) throw new TlvError(`TLV 0x${tag.toString(16)} runs past the end of its data`);
  return { tag, value: bytes.subarray(position, end), end };
}

/** The value of the one TLV that `bytes` consists of, refusing another tag or trailing bytes. */
export function unwrapTlv(bytes: Uint8Array, expectedTag: number): Uint8Array {
  const element = readTlv(bytes);
  if (element.tag !== expectedTag) {
    throw new TlvError(`expected tag 0x${expectedTag.toString(16)}, found 0x${element.tag.toString(16)}`);
  }
  if (element.end !== bytes.length) throw new TlvError(`trailing bytes after tag 0x${expectedTag.toString(16)}`);
  return element.value;
}

/** DER-minimal encoding of one TLV (tags up to three bytes, given as a number such as 0x5F1F). */
export function encodeTlv(tag: number, value: Uint8Array): Uint8Array {
  const tagBytes: number[] = [];
  for (let rest = tag; rest > 0 || tagBytes.length === 0; rest = Math.floor(rest / 0x100))
    tagBytes.unshift(rest & 0xff);

  const lengthBytes: number[] = [];
  if (value.length < 0x80) {
    lengthBytes.push(value.length);
  } else {
    for (let rest = value.length; rest > 0; rest = Math.floor(rest / 0x100)) lengthBytes.unshift(rest & 0xff);
    lengthBytes.unshift(0x80 | lengthBytes.length);
  }

  const out = new Uint8Array(tagBytes.length + lengthBytes.length + value.length);
  out.set(tagBytes, 0);
  out.set(lengthBytes, tagBytes.length);
  out.set(value, tagBytes.length + lengthBytes.length);
  return out;
}
