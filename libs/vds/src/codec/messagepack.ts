import { decode, encode } from '@msgpack/msgpack';

/** spec §2: PAYLOAD (and AUXDATA) are MessagePack maps with string keys. Sorted keys make the bytes reproducible. */
export function packMap(map: object): Uint8Array {
  return encode(map, { sortKeys: true, ignoreUndefined: true });
}

function stringKeysOnly(key: unknown): string {
  if (typeof key !== 'string') throw new Error(`a map key is a ${typeof key}, not a string`);
  return key;
}

/**
 * Decodes exactly one MessagePack map with string keys filling all of `bytes`; throws a plain Error saying why
 * not (callers turn it into their own VdsError). Every declared length is capped by the input size, so a forged
 * length cannot make the decoder allocate more than the input could hold.
 */
export function unpackMap(bytes: Uint8Array): Record<string, unknown> {
  const limit = bytes.length;
  const value: unknown = decode(bytes, {
    mapKeyConverter: stringKeysOnly,
    maxStrLength: limit,
    maxBinLength: limit,
    maxArrayLength: limit,
    maxMapLength: limit,
    maxExtLength: limit,
  });
  if (!isPlainMap(value)) throw new Error(`it holds ${describe(value)}, not a map`);
  return value;
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function describe(value: unknown): string {
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return 'a byte string';
  return typeof value === 'object' ? 'an extension value' : `a ${typeof value}`;
}
