import base45 from 'base45';
import { VdsError } from '../vds-error.js';
import { MAGIC, VDS_TEXT_PREFIX } from './layout.js';

const BASE45_ALPHABET = /^[0-9A-Z $%*+\-./:]*$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const malformed = (detail: string) => new VdsError('vds_malformed', detail);

/** spec §2 text form: "VDS1:" followed by Base45 (RFC 9285) of the binary. */
export function toVdsText(binary: Uint8Array): string {
  return VDS_TEXT_PREFIX + base45.encode(binary);
}

/**
 * The binary behind a string (spec §2): "VDS1:" + Base45, or the binary itself as hex or b64 without a prefix,
 * recognised by its magic byte 0xDE. Anything else is vds_malformed, with what was wrong.
 */
export function binaryFromText(text: string): Uint8Array {
  if (text.startsWith(VDS_TEXT_PREFIX)) return decodeBase45Strictly(text.slice(VDS_TEXT_PREFIX.length));
  if (/^vds1:/i.test(text)) throw malformed('bad text prefix: it must be "VDS1:" in upper case');
  if (text.length === 0) throw malformed('empty input');
  if (/\s/.test(text)) throw malformed('the text contains whitespace');

  // Hex of 0xDE… begins "de", b64 of 0xDE… begins "3": at most one reading starts with the magic byte.
  const readings = [
    { pattern: HEX, encoding: 'hex' },
    { pattern: B64, encoding: 'base64' },
  ] as const;
  const firstBytes: string[] = [];
  for (const { pattern, encoding } of readings) {
    if (!pattern.test(text)) continue;
    const bytes = Buffer.from(text, encoding);
    if (bytes[0] === MAGIC) {
      // b64 with non-zero padding bits would be a second spelling of the same bytes.
      if (encoding === 'base64' && bytes.toString('base64') !== text) throw malformed('non-canonical base64');
      return new Uint8Array(bytes);
    }
    firstBytes.push(`as ${encoding} it starts with 0x${bytes.toString('hex', 0, 1).toUpperCase()}`);
  }
  const why = firstBytes.length > 0 ? `bad magic byte (${firstBytes.join('; ')}), expected 0xDE` : 'unrecognised text';
  throw malformed(`not a VDS: ${why}; expected "VDS1:" + Base45, or the binary as hex or base64`);
}

/**
 * RFC 9285 §4.2 makes a decoder reject characters outside the alphabet, a dangling single character and groups
 * whose value exceeds 0xFFFF (or 0xFF for a final pair). The `base45` package checks none of these, so the text is
 * checked first and then must re-encode to itself — Base45 being a bijection, only a valid text does.
 */
function decodeBase45Strictly(text: string): Uint8Array {
  if (!BASE45_ALPHABET.test(text)) throw malformed('the Base45 text has characters outside the RFC 9285 alphabet');
  if (text.length % 3 === 1) throw malformed('the Base45 text has a length of the form 3n + 1 (RFC 9285 §4.2)');
  const bytes = base45.decode(text);
  if (base45.encode(bytes) !== text) throw malformed('the Base45 text encodes a value out of range (RFC 9285 §4.2)');
  return new Uint8Array(bytes);
}
