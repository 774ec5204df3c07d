import { createTestSigner, identityPayload, signIdentity, type TestSigner } from '../testing/vds-test-kit.js';
import { VdsError } from '../vds-error.js';
import { decodeVds } from './decode-vds.js';
import { certificateReference, vdsFingerprint } from './digests.js';
import { encodeVdsBinary } from './encode-binary.js';
import { packMap } from './messagepack.js';
import { toVdsText } from './text-form.js';

const malformedError = (detail: RegExp) =>
  expect.objectContaining({ code: 'vds_malformed', detail: expect.stringMatching(detail) });

/** Runs `decodeVds` and returns what it threw (failing the test if it threw nothing). */
function decodeError(input: string | Uint8Array): VdsError {
  try {
    decodeVds(input);
  } catch (error) {
    expect(error).toBeInstanceOf(VdsError);
    return error as VdsError;
  }
  throw new Error('decodeVds accepted the input');
}

describe('decodeVds', () => {
  let signer: TestSigner;
  let binary: Uint8Array;
  beforeAll(async () => {
    signer = await createTestSigner();
    binary = signIdentity(signer);
  });

  const mutated = (change: (copy: Uint8Array) => void) => {
    const copy = new Uint8Array(binary);
    change(copy);
    return copy;
  };
  const withPayloadLength = (length: number) => mutated((copy) => new DataView(copy.buffer).setUint32(21, length));
  const payloadLength = () => new DataView(binary.buffer, binary.byteOffset).getUint32(21);

  describe('reads every field of the layout (spec §2)', () => {
    it('splits PREFIX, HEADER, PAYLOAD and SIGNATURE', () => {
      const decoded = decodeVds(binary);
      expect(decoded).toMatchObject({
        iac: 'IDT',
        cin: 0x02,
        version: 1,
        manifestId: 0x0a0001,
        signingTime: 1_767_225_600,
      });
      expect(decoded.certificateReference).toEqual(certificateReference(signer.certificateDer));
      expect(decoded.payloadBytes).toEqual(packMap(identityPayload()));
      expect(decoded.signature).toHaveLength(64);
      expect(decoded.auxData).toBeUndefined();
      expect(decoded.binary).toEqual(binary);
      expect(decoded.fingerprint).toBe(vdsFingerprint(binary));
      expect(decoded.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    });

    it('writes the prefix, version and big-endian manifest ID, and the payload length in bytes 21–24', () => {
      // 0xDE ‖ "IDT" ‖ CIN 0x02 ‖ version 0x01 ‖ manifest 0x0A0001
      expect(Buffer.from(binary.subarray(0, 9)).toString('hex')).toBe('de49445402010a0001');
      expect(payloadLength()).toBe(binary.length - 25 - 64);
    });

    it('reads AUXDATA and leaves it out of the fingerprint', () => {
      const withAux = encodeVdsBinary({ ...decodeVds(binary), auxData: { hint: 'not signed', n: 7 } });
      const decoded = decodeVds(withAux);
      expect(decoded.auxData).toEqual({ hint: 'not signed', n: 7 });
      expect(decoded.fingerprint).toBe(decodeVds(binary).fingerprint);
      expect(decoded.binary).toEqual(binary);
    });

    it('returns parts that do not share memory with the caller’s buffer', () => {
      const input = new Uint8Array(binary);
      const decoded = decodeVds(input);
      input.fill(0);
      expect(decoded.binary).toEqual(binary);
    });
  });

  describe('round trips through every accepted form', () => {
    it.each([
      ['binary', (bytes: Uint8Array) => bytes],
      ['a Buffer', (bytes: Uint8Array) => Buffer.from(bytes)],
      ['text "VDS1:" + Base45', (bytes: Uint8Array) => toVdsText(bytes)],
      ['b64', (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')],
      ['lower-case hex', (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')],
      ['upper-case hex', (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').toUpperCase()],
    ])('%s', (_form, encode) => {
      const decoded = decodeVds(encode(binary));
      expect(decoded.binary).toEqual(binary);
      expect(decoded.fingerprint).toBe(decodeVds(binary).fingerprint);
    });

    it('writes the text form in the Base45 alphabet only, so it fits a QR code’s alphanumeric mode', () => {
      expect(toVdsText(binary)).toMatch(/^VDS1:[0-9A-Z $%*+\-./:]+$/);
    });

    it('keeps AUXDATA through the text form', () => {
      const withAux = encodeVdsBinary({ ...decodeVds(binary), auxData: { a: [1, 2] } });
      expect(decodeVds(toVdsText(withAux)).auxData).toEqual({ a: [1, 2] });
    });
  });

  describe('refuses text that is not one of the accepted forms', () => {
    it.each([
      ['empty input', '', /empty/],
      ['a lower-case prefix', () => `vds1:${toVdsText(binary).slice(5)}`, /upper case/],
      ['surrounding whitespace', () => ` ${Buffer.from(binary).toString('hex')}\n`, /whitespace/],
      ['Base45 outside the alphabet', 'VDS1:abc', /alphabet/],
      ['Base45 of length 3n + 1', 'VDS1:AAAA', /3n \+ 1/],
      ['a Base45 triple above 0xFFFF (RFC 9285 §4.2: "GGW")', 'VDS1:GGW', /out of range/],
      ['a final Base45 pair above 0xFF', 'VDS1::Z', /out of range/],
      [
        'hex that does not start with the magic byte',
        () => `df${Buffer.from(binary).toString('hex').slice(2)}`,
        /bad magic byte/,
      ],
      ['odd-length hex', () => Buffer.from(binary).toString('hex').slice(1), /not a VDS/],
      [
        'unpadded b64',
        () => Buffer.from(binary.subarray(0, 100)).toString('base64').replace(/=+$/, '') + 'A',
        /not a VDS/,
      ],
      ['b64url', () => Buffer.from(binary).toString('base64url'), /not a VDS/],
      ['a JWT-looking string', 'eyJhbGciOiJFUzI1NiJ9.e30.sig', /not a VDS/],
    ])('%s', (_case, input, detail) => {
      const text = typeof input === 'function' ? input() : input;
      expect(decodeError(text)).toEqual(malformedError(detail));
    });

    it('refuses b64 whose padding bits are not zero (a second spelling of the same bytes)', () => {
      const bytes = binary.subarray(0, 32); // 32 bytes: b64 ends with one "=" after a character holding 2 padding bits
      const canonical = Buffer.from(bytes).toString('base64');
      const last = canonical.at(-2)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const sibling = alphabet[alphabet.indexOf(last) + 1]!;
      expect(decodeError(`${canonical.slice(0, -2)}${sibling}=`)).toEqual(malformedError(/non-canonical base64/));
    });

    it('refuses something that is neither a string nor bytes', () => {
      expect(decodeError(42 as unknown as string)).toEqual(malformedError(/string or a Uint8Array/));
    });
  });

  describe('refuses a binary that breaks the layout, saying what is wrong', () => {
    it.each([
      ['truncated prefix', () => binary.subarray(0, 4), /truncated prefix: 4 of 5/],
      ['bad magic byte', () => mutated((copy) => (copy[0] = 0xdf)), /bad prefix: magic byte is 0xDF/],
      ['lower-case IAC', () => mutated((copy) => copy.set(Buffer.from('idt'), 1)), /IAC/],
      ['unknown CIN', () => mutated((copy) => (copy[4] = 0x04)), /unknown CIN 0x04/],
      ['truncated header', () => binary.subarray(0, 20), /truncated header: 15 of 20/],
      ['unsupported version', () => mutated((copy) => (copy[5] = 0x02)), /unsupported header version 0x02/],
      [
        'payload length beyond input',
        () => withPayloadLength(payloadLength() + 1000),
        /payload length \d+ runs beyond/,
      ],
      ['truncated signature', () => binary.subarray(0, binary.length - 10), /truncated signature: 54 of 64/],
      ['payload that is not a map', () => replacePayload(packArray()), /payload is not a MessagePack map.*array/],
      ['empty payload', () => replacePayload(new Uint8Array(0)), /payload is not a MessagePack map/],
      ['payload with an integer key', () => replacePayload(Uint8Array.of(0x81, 0x01, 0x02)), /not a string/],
      [
        'payload with a "__proto__" key',
        () => replacePayload(Buffer.from('81a95f5f70726f746f5f5f80', 'hex')),
        /__proto__/,
      ],
      [
        'payload length short of the map',
        () => withPayloadLength(payloadLength() - 1),
        /payload is not a MessagePack map/,
      ],
      [
        'trailing bytes that are not MessagePack',
        () => concat(binary, Uint8Array.of(0xc1)),
        /the 1 bytes after the signature are not a MessagePack map/,
      ],
      ['trailing MessagePack that is not a map', () => concat(binary, Uint8Array.of(0x01)), /not a map/],
      ['a map followed by more bytes', () => concat(binary, Uint8Array.of(0x80, 0x80)), /after the signature/],
    ])('%s', (_case, input, detail) => {
      expect(decodeError(input())).toEqual(malformedError(detail));
    });

    function replacePayload(payload: Uint8Array): Uint8Array {
      const decoded = decodeVds(binary);
      return encodeVdsBinary({ ...decoded, payloadBytes: payload, auxData: undefined });
    }
  });

  describe('never throws anything but VdsError(vds_malformed) (a little fuzzing, seeded)', () => {
    const random = seededRandom(0x1d70c3);
    const randomBytes = (length: number) => Uint8Array.from({ length }, () => Math.floor(random() * 256));

    const expectOnlyMalformed = (input: string | Uint8Array) => {
      try {
        decodeVds(input);
      } catch (error) {
        expect(error).toBeInstanceOf(VdsError);
        expect((error as VdsError).code).toBe('vds_malformed');
      }
    };

    it('random bytes, with and without a valid-looking head', () => {
      for (let round = 0; round < 500; round += 1) {
        const noise = randomBytes(Math.floor(random() * 300));
        expectOnlyMalformed(noise);
        expectOnlyMalformed(concat(binary.subarray(0, 25), noise));
        expectOnlyMalformed(concat(binary.subarray(0, 25 + Math.floor(random() * 200)), noise));
      }
    });

    it('a valid credential with random bytes changed, and every truncation of it', () => {
      for (let round = 0; round < 500; round += 1) {
        expectOnlyMalformed(mutated((copy) => (copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256))));
      }
      for (let length = 0; length < binary.length; length += 1) expectOnlyMalformed(binary.subarray(0, length));
    });

    it('random strings in each text form', () => {
      const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:abcdef=\u00e9\u0000';
      for (let round = 0; round < 500; round += 1) {
        const text = Array.from(
          { length: Math.floor(random() * 80) },
          () => alphabet[Math.floor(random() * alphabet.length)],
        ).join('');
        expectOnlyMalformed(text);
        expectOnlyMalformed(`VDS1:${text}`);
        expectOnlyMalformed(`de${text}`);
        expectOnlyMalformed(`3${text}`);
      }
    });
  });
});

function packArray(): Uint8Array {
  return Uint8Array.of(0x93, 0x01, 0x02, 0x03);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** mulberry32: a reproducible sequence, so a failing fuzz case fails every time. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
