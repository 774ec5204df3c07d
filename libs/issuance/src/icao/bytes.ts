import { timingSafeEqual } from 'node:crypto';

/**
 * A private copy of bytes handed out by the ASN.1 parser. Its "raw" fields are typed ArrayBuffer but are, at run
 * time, Uint8Array views into the whole input; copying through here is right for both.
 */
export function toBytes(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  return new Uint8Array(value.slice(0));
}

/** Equality without an early exit: used for every digest and recovered hash we compare. */
export function bytesEqual(a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView): boolean {
  const left = toBytes(a);
  const right = toBytes(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
