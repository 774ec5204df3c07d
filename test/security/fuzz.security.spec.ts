import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deflateRawSync } from 'node:zlib';
import { encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { ALL_SCOPES, ATOMIC_SCOPES, ScopeError, expandScopes, parseScopes } from '#idtoken/claims';
import {
  DEVICE_ACTIONS,
  DerSignatureError,
  DeviceRequestVerifier,
  TIMESTAMP_WINDOW_SECONDS,
  assertFreshTimestamp,
  deviceRequestMessage,
  enrollMessage,
  parseDevicePublicKey,
  parseStrictDerSignature,
  verifyDeviceSignature,
  type DeviceAction,
} from '#idtoken/enrollment';
import { DomainError } from '#idtoken/platform';
import { TrustStore } from '#idtoken/trust';
import {
  IDENTITY_MANIFEST,
  SERVICE_MANIFEST,
  VDS_ENVIRONMENT,
  VdsError,
  decodeVds,
  signVds,
  toVdsText,
  verifyVds,
} from '#idtoken/vds';
import { signMessage } from '../../libs/saml/src/hardening/testing/saml-messages.js';
import { WRAPPING_SHAPES } from '../../libs/saml/src/hardening/testing/signature-wrapping.js';
import { createTestSigner as createSamlSigner } from '../../libs/saml/src/hardening/testing/test-signer.js';
import { derSignatureToRaw, rawSignatureToDer } from '../../libs/vds/src/testing/ecdsa-der.js';
import {
  TestTrust,
  createTestSigner,
  identityPayload,
  servicePayload,
  signIdentity,
  signPayloadBytes,
  type TestSigner,
} from '../../libs/vds/src/testing/vds-test-kit.js';
import { BOOTSTRAP_ADMIN_KEY, registerService } from '../support/credentials.js';
import { startTestAppAtIssuer, type RunningApp } from '../support/test-app.js';
import {
  anyByteMutation,
  mostly,
  applyMutation,
  authnRequestFields,
  authnRequestXml,
  bitFlips,
  contentType,
  dtdDocuments,
  extension,
  field,
  jsonBody,
  jsonBodyText,
  junkValue,
  looseRecord,
  scopeToken,
  textMutation,
  tile,
  truncation,
  vdsLikeText,
  xmlish,
  type AuthnRequestFields,
  type JsonBody,
} from './support/fuzz-arbitraries.js';

/**
 * Property-based fuzzing (issue 11) of what parses untrusted input: the VDS decoder and verifier (spec §2), the strict
 * DER parser and device-signed requests (§5.1), the scope parser (§7), and — over real HTTP against a real server —
 * POST /auth/initiate, /auth/verify, /enroll and the SAML SSO endpoint in both bindings. Each property runs with a
 * fixed seed, so a run is reproducible; fast-check prints the seed, the path and the shrunk counterexample when one
 * fails. Another seed: FUZZ_SEED=<n> npm test -- test/security/fuzz.security.spec.ts.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x1d70c3);
const run = (numRuns: number, extra: { endOnFailure?: boolean } = {}) => ({ seed: SEED, numRuns, ...extra });
// Over HTTP a failing run is reported as found: shrinking against a live server would cost minutes.
const runHttp = (numRuns: number) => run(numRuns, { endOnFailure: true });

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const MIB = 1024 * 1024;
/** The instant credentials of the VDS test kit are verified at (they are signed 2026-01-01 and expire 2030-12-31). */
const VERIFY_AT = new Date('2026-06-01T00:00:00Z');

/** What a property saw thrown, when it was not the library's own typed error. */
function unexpected(error: unknown, expected: string): Error {
  const name = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new Error(`expected a ${expected} or a value, got ${name}`);
}

const bigintToBytes = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
const rawFrom = (r: bigint, s: bigint) => Buffer.concat([bigintToBytes(r), bigintToBytes(s)]);

/** A copy of a JSON value with every object's keys in reverse order (own data properties, so "__proto__" stays a key). */
function reorderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorderKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, inner]) => [key, reorderKeys(inner)]),
  );
}

/** global.gc when the process was started with --expose-gc; else turned on here through V8's flags, if allowed. */
function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? () => void gc() : undefined;
  } catch {
    return undefined;
  }
}

describe('fuzzing the pure parsers (fast-check, fixed seed)', () => {
  let signer: TestSigner;
  let validVds: Uint8Array;
  let trust: TestTrust;
  beforeAll(async () => {
    signer = await createTestSigner();
    validVds = signIdentity(signer);
    trust = new TestTrust([signer]);
  });

  /** decodeVds: a value, or VdsError('vds_malformed') — nothing else. */
  const decodeOrRefuse = (input: unknown) => {
    try {
      return decodeVds(input as string | Uint8Array);
    } catch (error) {
      if (error instanceof VdsError && error.code === 'vds_malformed') return undefined;
      throw unexpected(error, 'VdsError(vds_malformed)');
    }
  };
  /** verifyVds: a verified credential, or a VdsError of any step — nothing else. */
  const verifyOrRefuse = async (input: string | Uint8Array) => {
    try {
      return await verifyVds(input, { trust, now: VERIFY_AT });
    } catch (error) {
      if (error instanceof VdsError) return undefined;
      throw unexpected(error, 'VdsError');
    }
  };

  /** Binaries shaped like a VDS (valid head, fuzzed fields, MessagePack or random payload), to get past the prefix. */
  const vdsLikeBinary = fc
    .record({
      iac: fc.oneof(fc.constant('IDT'), fc.string({ unit: 'binary-ascii', minLength: 3, maxLength: 3 })),
      cin: fc.constantFrom(0, 1, 2, 3, 4, 255),
      version: fc.constantFrom(1, 1, 1, 0, 2),
      manifestId: fc.oneof(fc.constantFrom(IDENTITY_MANIFEST, SERVICE_MANIFEST), fc.integer({ min: 0, max: 0xffffff })),
      reference: fc.uint8Array({ minLength: 8, maxLength: 8 }),
      signingTime: fc.nat(),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        fc
          .dictionary(
            fc.string({ maxLength: 8 }),
            fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.uint8Array({ maxLength: 20 })),
          )
          .map((map) => encode(map)),
        fc.jsonValue({ maxDepth: 2 }).map((value) => encode(value)),
      ),
      lengthDelta: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -4, max: 4 }), fc.nat()),
      signatureLength: fc.constantFrom(64, 64, 63, 0),
      aux: fc.oneof(fc.constant(new Uint8Array()), fc.uint8Array({ maxLength: 20 }), fc.constant(encode({ a: 1 }))),
    })
    .map((parts) => {
      const head = Buffer.alloc(25);
      head[0] = 0xde;
      head.write(parts.iac, 1, 'latin1');
      head[4] = parts.cin;
      head[5] = parts.version;
      head.writeUIntBE(parts.manifestId, 6, 3);
      head.set(parts.reference, 9);
      head.writeUInt32BE(parts.signingTime, 17);
      head.writeUInt32BE(Math.max(0, Math.min(0xffffffff, parts.payload.length + parts.lengthDelta)), 21);
      return Buffer.concat([head, parts.payload, Buffer.alloc(parts.signatureLength, 7), parts.aux]);
    });

  describe('VDS decoder and verifier (spec §2)', () => {
    it('decodes arbitrary bytes, strings and values to a VDS or VdsError(vds_malformed), nothing else', () => {
      const input = fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        vdsLikeBinary,
        vdsLikeBinary.map((bytes) => bytes.toString('hex')),
        vdsLikeBinary.map((bytes) => bytes.toString('base64')),
        vdsLikeBinary.map((bytes) => toVdsText(bytes)),
        vdsLikeText,
        fc.anything(),
      );
      fc.assert(
        fc.property(input, (value) => {
          const decoded = decodeOrRefuse(value);
          if (decoded) {
            expect(decoded.signature).toHaveLength(64);
            expect(decoded.fingerprint).toBe(createHash('sha256').update(decoded.binary).digest('hex'));
          }
        }),
        run(1000),
      );
    });

    it('verifies arbitrary VDS-shaped input only by refusing it with a VdsError', async () => {
      const input = fc.oneof(
        vdsLikeBinary,
        vdsLikeBinary.map((bytes) => toVdsText(bytes)),
        vdsLikeText,
      );
      await fc.assert(
        fc.asyncProperty(input, async (value) => {
          expect(await verifyOrRefuse(value)).toBeUndefined();
        }),
        run(500),
      );
    });

    it('never verifies a valid VDS with bits flipped anywhere in PREFIX, HEADER, PAYLOAD or SIGNATURE', async () => {
      await fc.assert(
        fc.asyncProperty(bitFlips(validVds.length), async (mutation) => {
          expect(await verifyOrRefuse(applyMutation(validVds, mutation))).toBeUndefined();
        }),
        run(500),
      );
    });

    it('refuses every truncation of a valid VDS as vds_malformed', () => {
      fc.assert(
        fc.property(truncation(validVds.length), (mutation) => {
          expect(decodeOrRefuse(applyMutation(validVds, mutation))).toBeUndefined();
        }),
        run(300),
      );
    });

    it('lets a mutated VDS verify only with its signed content unchanged (bytes after it are unsigned AUXDATA)', async () => {
      const original = decodeVds(validVds);
      const mutated = fc.oneof(anyByteMutation(validVds.length), extension);
      const form = fc.constantFrom('binary', 'text', 'hex', 'b64');
      await fc.assert(
        fc.asyncProperty(mutated, form, async (mutation, as) => {
          const bytes = Buffer.from(applyMutation(validVds, mutation));
          const input =
            as === 'binary'
              ? bytes
              : as === 'text'
                ? toVdsText(bytes)
                : bytes.toString(as === 'hex' ? 'hex' : 'base64');
          const verified = await verifyOrRefuse(input);
          if (verified) {
            expect(verified.decoded.fingerprint).toBe(original.fingerprint);
            expect(Buffer.from(verified.decoded.payloadBytes)).toEqual(Buffer.from(original.payloadBytes));
          }
        }),
        run(600),
      );
    });

    it('lets an edited text form verify only as the same credential', async () => {
      const original = decodeVds(validVds);
      await fc.assert(
        fc.asyncProperty(textMutation(toVdsText(validVds)), async (text) => {
          const verified = await verifyOrRefuse(text);
          if (verified) expect(verified.decoded.fingerprint).toBe(original.fingerprint);
        }),
        run(300),
      );
    });

    it('judges well-signed payloads of any content by the manifest schema only (a value or a VdsError)', async () => {
      const fuzzValue = fc.oneof(
        junkValue,
        fc.uint8Array({ maxLength: 40 }),
        fc.date().map((date) => date),
      );
      const identityKeys = Object.keys(identityPayload());
      const serviceKeys = Object.keys(servicePayload());
      const payload = fc.oneof(
        fc
          .dictionary(fc.constantFrom(...identityKeys, 'extra', '__proto__'), fuzzValue, { maxKeys: 3 })
          .map((overrides) => ({ manifestId: IDENTITY_MANIFEST, map: { ...identityPayload(), ...overrides } })),
        fc
          .dictionary(fc.constantFrom(...serviceKeys, 'extra'), fuzzValue, { maxKeys: 3 })
          .map((overrides) => ({ manifestId: SERVICE_MANIFEST, map: { ...servicePayload(), ...overrides } })),
        fc.record({
          manifestId: fc.oneof(
            fc.constantFrom(IDENTITY_MANIFEST, SERVICE_MANIFEST),
            fc.integer({ min: 0, max: 0xffffff }),
          ),
          map: fc.dictionary(fc.string({ maxLength: 6 }), fuzzValue, { maxKeys: 5 }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(payload, async ({ manifestId, map }) => {
          let bytes: Uint8Array;
          try {
            bytes = encode(map);
          } catch {
            return; // not encodable as MessagePack: nothing to sign
          }
          const verified = await verifyOrRefuse(signPayloadBytes(signer, manifestId, bytes));
          if (verified) expect([IDENTITY_MANIFEST, SERVICE_MANIFEST]).toContain(verified.decoded.manifestId);
        }),
        run(400),
      );
    });
  });

  describe('strict DER signatures (spec §5.1)', () => {
    /** parseStrictDerSignature: (r, s), or a DerSignatureError — nothing else. */
    const parseOrRefuse = (bytes: Uint8Array) => {
      try {
        return parseStrictDerSignature(bytes);
      } catch (error) {
        if (error instanceof DerSignatureError) return undefined;
        throw unexpected(error, 'DerSignatureError');
      }
    };
    /** SEQUENCE { INTEGER, INTEGER } with every length and content byte fuzzed, to reach every check. */
    const derLike = fc
      .record({
        r: fc.uint8Array({ maxLength: 34 }),
        s: fc.uint8Array({ maxLength: 34 }),
        rLength: fc.option(fc.nat({ max: 255 }), { nil: undefined }),
        sLength: fc.option(fc.nat({ max: 255 }), { nil: undefined }),
        sequenceLength: fc.option(fc.nat({ max: 255 }), { nil: undefined }),
        tags: fc.constantFrom([0x30, 0x02, 0x02], [0x30, 0x02, 0x02], [0x31, 0x02, 0x02], [0x30, 0x03, 0x02]),
        trailing: fc.uint8Array({ maxLength: 2 }),
      })
      .map(({ r, s, rLength, sLength, sequenceLength, tags, trailing }) => {
        const body = Buffer.concat([
          Buffer.of(tags[1]!, rLength ?? r.length),
          r,
          Buffer.of(tags[2]!, sLength ?? s.length),
          s,
        ]);
        return Buffer.concat([Buffer.of(tags[0]!, sequenceLength ?? body.length), body, trailing]);
      });

    it('parses arbitrary bytes to the one canonical encoding of an in-range (r, s), or refuses with DerSignatureError', () => {
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), derLike), (bytes) => {
          const parsed = parseOrRefuse(bytes);
          if (parsed) {
            expect(parsed.r > 0n && parsed.r < P256_ORDER && parsed.s > 0n && parsed.s < P256_ORDER).toBe(true);
            // Strict means unique: what was accepted is exactly the DER encoding of the value read.
            expect(rawSignatureToDer(rawFrom(parsed.r, parsed.s))).toEqual(Buffer.from(bytes));
          }
        }),
        run(1000),
      );
    });

    it('round-trips every (r, s) with 0 < r, s < n, agreeing with an independent ASN.1 library', () => {
      const scalar = fc.oneof(
        fc.bigInt({ min: 1n, max: P256_ORDER - 1n }),
        fc.constantFrom(1n, 0x7fn, 0x80n, 0xffn, 0x100n, P256_ORDER - 1n, 2n ** 255n, 2n ** 255n - 1n),
      );
      fc.assert(
        fc.property(scalar, scalar, (r, s) => {
          const der = rawSignatureToDer(rawFrom(r, s));
          expect(parseStrictDerSignature(der)).toEqual({ r, s });
          expect(Buffer.from(derSignatureToRaw(der))).toEqual(rawFrom(r, s));
        }),
        run(500),
      );
    });

    it('refuses (r, s) out of range: 0, n, or above', () => {
      const outOfRange = fc.oneof(fc.constant(0n), fc.bigInt({ min: P256_ORDER, max: 2n ** 256n - 1n }));
      const inRange = fc.bigInt({ min: 1n, max: P256_ORDER - 1n });
      fc.assert(
        fc.property(outOfRange, inRange, fc.boolean(), (bad, good, badFirst) => {
          const der = rawSignatureToDer(badFirst ? rawFrom(bad, good) : rawFrom(good, bad));
          expect(() => parseStrictDerSignature(der)).toThrow(DerSignatureError);
        }),
        run(300),
      );
    });

    it('never verifies a real device signature after a mutation; the parser refuses or reads other numbers', () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const signed = fc.string({ maxLength: 60 }).map((message) => ({
        message,
        der: sign('sha256', Buffer.from(message), { key: privateKey, dsaEncoding: 'der' }),
      }));
      const case_ = signed.chain(({ message, der }) =>
        fc.record({ message: fc.constant(message), der: fc.constant(der), mutation: anyByteMutation(der.length) }),
      );
      fc.assert(
        fc.property(case_, ({ message, der, mutation }) => {
          expect(verifyDeviceSignature(publicKey, message, der)).toBe(true);
          const mutated = Buffer.from(applyMutation(der, mutation));
          if (mutated.equals(der)) return;
          try {
            expect(verifyDeviceSignature(publicKey, message, mutated)).toBe(false);
          } catch (error) {
            if (!(error instanceof DerSignatureError)) throw unexpected(error, 'DerSignatureError');
          }
        }),
        run(300),
      );
    });
  });

  describe('device-signed requests (spec §4, §5.1)', () => {
    const fields = fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });

    it('signs action|tokenId|timestamp|b64url(SHA-256(canonical JSON)), whatever the fields and their key order', () => {
      const action = fc.constantFrom(...DEVICE_ACTIONS);
      fc.assert(
        fc.property(action, fc.string(), fc.integer(), fields, (act, tokenId, timestamp, body) => {
          const message = deviceRequestMessage(act, tokenId, timestamp, body);
          expect(message.startsWith(`${act}|${tokenId}|${timestamp}|`)).toBe(true);
          expect(message.slice(`${act}|${tokenId}|${timestamp}|`.length)).toMatch(/^[A-Za-z0-9_-]{43}$/);
          expect(deviceRequestMessage(act, tokenId, timestamp, reorderKeys(body) as Record<string, unknown>)).toBe(
            message,
          );
          expect(deviceRequestMessage(act, tokenId, timestamp, { ...body, '\u0000added': 1 })).not.toBe(message);
        }),
        run(500),
      );
    });

    it('accepts a timestamp only within ±30 s of the clock (spec §4, §5.1, §6.2), refusing with stale_timestamp', () => {
      const now = new Date('2026-06-01T12:00:00Z');
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const timestamp = fc.oneof(
        fc.integer({ min: nowSeconds - 100, max: nowSeconds + 100 }),
        fc.double(),
        fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, nowSeconds + 0.5, nowSeconds + 30.5),
        fc.integer(),
      );
      fc.assert(
        fc.property(timestamp, (value) => {
          let accepted: boolean;
          try {
            assertFreshTimestamp(value, now);
            accepted = true;
          } catch (error) {
            if (!(error instanceof DomainError && error.code === 'stale_timestamp')) {
              throw unexpected(error, 'DomainError(stale_timestamp)');
            }
            accepted = false;
          }
          expect(accepted).toBe(Math.abs(nowSeconds - value) <= TIMESTAMP_WINDOW_SECONDS);
        }),
        run(500),
      );
    });

    it('reads a device public key from arbitrary text only as a P-256 SPKI, else invalid_request', () => {
      const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString();
      const otherKeys = [
        generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      ];
      const text = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        textMutation(pem),
        fc.constantFrom(...otherKeys),
        fc
          .uint8Array({ maxLength: 120 })
          .map(
            (bytes) => `-----BEGIN PUBLIC KEY-----\n${Buffer.from(bytes).toString('base64')}\n-----END PUBLIC KEY-----`,
          ),
      );
      fc.assert(
        fc.property(text, (value) => {
          try {
            const key = parseDevicePublicKey(value);
            expect(key.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
            expect(key.keyId).toBe(createHash('sha256').update(key.spkiDer).digest('base64url'));
          } catch (error) {
            if (!(error instanceof DomainError && error.code === 'invalid_request')) {
              throw unexpected(error, 'DomainError(invalid_request)');
            }
          }
        }),
        run(500),
      );
    });
  });

  describe('scope parser (spec §7)', () => {
    it('returns the known scopes once each, in order, or a ScopeError naming exactly the unknown tokens', () => {
      const input = fc.oneof(
        fc.array(scopeToken, { maxLength: 8 }).map((tokens) => tokens.join(' ')),
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc.array(scopeToken, { maxLength: 8 }),
      );
      const known = new Set<unknown>(ALL_SCOPES);
      fc.assert(
        fc.property(input, (value) => {
          const tokens: unknown[] = typeof value === 'string' ? value.split(/\s+/) : value;
          const requested = tokens.filter((token) => token !== '');
          const unknown = [...new Set(requested.filter((token) => !known.has(token)))];
          try {
            const scopes = parseScopes(value);
            expect(unknown).toEqual([]);
            expect(scopes).toEqual([...new Set(requested)]);
            const atomic = expandScopes(scopes);
            expect(atomic.every((scope) => Object.hasOwn(ATOMIC_SCOPES, scope))).toBe(true);
          } catch (error) {
            if (!(error instanceof ScopeError)) throw unexpected(error, 'ScopeError');
            expect(error.code).toBe('invalid_scope');
            expect(error.unknownScopes).toEqual(unknown);
          }
        }),
        run(1000),
      );
    });
  });

  describe('bounded memory on large input', () => {
    it('decodes inputs up to 1 MiB without the heap growing by more than 200 MiB', () => {
      const gc = exposeGc();
      const heapUsed = () => {
        gc?.();
        return process.memoryUsage().heapUsed;
      };
      const big = fc
        .record({
          chunk: fc.uint8Array({ minLength: 1, maxLength: 64 }),
          size: fc.oneof(fc.integer({ min: 0, max: MIB }), fc.constant(MIB)),
          form: fc.constantFrom('binary', 'head+huge-map', 'head+huge-array', 'text', 'hex', 'b64', 'base45', 'scopes'),
        })
        .map(({ chunk, size, form }) => ({ bytes: tile(chunk, size), size, form }));
      const before = heapUsed();
      let peak = before;
      fc.assert(
        fc.property(big, ({ bytes, size, form }) => {
          const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
          // A valid head claiming the whole input as payload, whose MessagePack declares 2^32 − 1 entries.
          const head = Buffer.from(validVds.subarray(0, 25));
          head.writeUInt32BE(size + 5, 21);
          const declared = form === 'head+huge-map' ? 0xdf : 0xdd;
          const forged = Buffer.concat([head, Buffer.of(declared, 0xff, 0xff, 0xff, 0xff), buffer, Buffer.alloc(64)]);
          const input =
            form === 'binary'
              ? buffer
              : form === 'head+huge-map' || form === 'head+huge-array'
                ? forged
                : form === 'text'
                  ? buffer.toString('latin1')
                  : form === 'hex'
                    ? `de${buffer.toString('hex')}`
                    : form === 'b64'
                      ? Buffer.concat([Buffer.of(0xde), buffer]).toString('base64')
                      : form === 'base45'
                        ? toVdsText(buffer)
                        : undefined;
          if (input === undefined) {
            const text = buffer.toString('latin1');
            try {
              parseScopes(text);
            } catch (error) {
              if (!(error instanceof ScopeError)) throw unexpected(error, 'ScopeError');
            }
            deviceRequestMessage('trust', randomUUID(), 0, { serviceVds: text });
          } else {
            expect(decodeOrRefuse(input)).toBeUndefined();
          }
          try {
            parseStrictDerSignature(buffer);
          } catch (error) {
            if (!(error instanceof DerSignatureError)) throw unexpected(error, 'DerSignatureError');
          }
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }),
        run(24),
      );
      const growth = heapUsed() - before;
      // Retained growth: with gc it is what the run kept; without gc, garbage too, hence the same loose bound.
      expect(growth).toBeLessThan(200 * MIB);
      // Not a timing: a decoder that allocated by a forged length (GiBs) would show up here, if it did not crash first.
      expect(peak - before).toBeLessThan(1024 * MIB);
    }, 180_000);
  });
});

describe('fuzzing the HTTP endpoints of a real server (fast-check, fixed seed)', () => {
  let server: RunningApp;
  let issuer: string;
  let service: { serviceId: string; serviceSecret: string; serviceVds: string };
  let enrolled: { tokenId: string; vds: string; privateKey: KeyObject; publicKeyPem: string; keyId: string };
  let samlSigner: ReturnType<typeof createSamlSigner>;
  const SP_ENTITY_ID = 'https://sp.fuzz.example';
  const SP_ACS = 'https://sp.fuzz.example/acs';
  const REQUEST_TIMEOUT_MS = 20_000;

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const basic = () => `Basic ${Buffer.from(`${service.serviceId}:${service.serviceSecret}`).toString('base64')}`;
  const http = (path: string, init: RequestInit = {}) =>
    fetch(`${server.baseUrl}${path}`, { redirect: 'manual', ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const postJson = (path: string, body: JsonBody, headers: Record<string, string | undefined> = {}) => {
    const defined = Object.fromEntries(
      Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    return http(path, { method: 'POST', headers: defined, body: jsonBodyText(body) });
  };

  /** Below 500; an error is RFC 9457 problem+json whose status is the response's (spec §8). */
  async function expectRestAnswer(response: Response, successes: number[]): Promise<Record<string, unknown>> {
    const text = await response.text();
    const where = `${response.status} ${response.headers.get('content-type')}: ${text.slice(0, 300)}`;
    if (response.status >= 500) throw new Error(`server error ${where}`);
    const body = JSON.parse(text) as Record<string, unknown>;
    if (response.status >= 400) {
      if (!/^application\/problem\+json/.test(response.headers.get('content-type') ?? '')) {
        throw new Error(`not problem+json: ${where}`);
      }
      expect(body).toEqual(
        expect.objectContaining({
          type: expect.any(String),
          title: expect.any(String),
          status: response.status,
          detail: expect.any(String),
          code: expect.stringMatching(/^[a-z_]+$/),
        }),
      );
    } else if (!successes.includes(response.status)) {
      throw new Error(`unexpected success ${where}`);
    }
    return body;
  }

  async function expectHealthy(): Promise<void> {
    expect((await http('/health/live')).status).toBe(200);
  }

  beforeAll(async () => {
    server = await startTestAppAtIssuer({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      // Every request comes from 127.0.0.1: the limits must not turn the fuzzing into 429s.
      ENROLL_RATE_LIMIT_PER_HOUR: '1000000',
      INITIATE_RATE_LIMIT_PER_MINUTE: '1000000',
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000000',
      SAML_RATE_LIMIT_PER_MINUTE: '1000000',
    });
    issuer = server.baseUrl;
    service = {
      serviceId: 'fuzz-shop',
      ...(await registerService(server.baseUrl, {
        serviceId: 'fuzz-shop',
        allowedScopes: ['identity:basic', 'identity:age_over_18'],
        requireTrust: false,
      })),
    };

    // An identity VDS signed by this server's identity-VDS key, and its holder enrolled with a fresh P-256 key.
    const identitySigner = await server.app.get(TrustStore).signerFor(IDENTITY_MANIFEST);
    const tokenId = randomUUID();
    const vds = toVdsText(
      signVds({
        iac: 'IDT',
        cin: VDS_ENVIRONMENT.test,
        manifestId: IDENTITY_MANIFEST,
        certificateDer: identitySigner.certificateDer,
        signingTime: nowSeconds() - 60,
        payload: identityPayload({ tid: tokenId }),
        privateKey: identitySigner.privateKey,
      }),
    );
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const keyId = parseDevicePublicKey(publicKeyPem).keyId;
    enrolled = { tokenId, vds, privateKey, publicKeyPem, keyId };
    const enrollment = await postJson(
      '/enroll',
      { kind: 'json', value: enrollBody(nowSeconds(), 'valid') },
      { 'content-type': 'application/json' },
    );
    expect(enrollment.status).toBe(201);

    // A SAML SP on a service of its own: requests may come signed (checked with its certificate) or unsigned.
    samlSigner = createSamlSigner();
    await registerService(server.baseUrl, {
      serviceId: 'fuzz-sp',
      allowedScopes: ['identity:basic'],
      requireTrust: false,
    });
    const put = await http('/admin/services/fuzz-sp/saml', {
      method: 'PUT',
      headers: { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        entityId: SP_ENTITY_ID,
        assertionConsumerServices: [{ url: SP_ACS, isDefault: true }],
        signingCertificates: [samlSigner.certificatePem],
      }),
    });
    expect(put.status).toBe(200);
  }, 180_000);
  afterAll(async () => server?.close());

  /** The enroll body of spec §4 for the enrolled holder: `valid` signs with its key, else the signature is `signature`. */
  function enrollBody(timestamp: number, signature: 'valid' | string, vdsData = enrolled.vds): Record<string, unknown> {
    const signatureBase64 =
      signature === 'valid'
        ? sign('sha256', Buffer.from(enrollMessage(enrolled.tokenId, enrolled.keyId, timestamp)), {
            key: enrolled.privateKey,
            dsaEncoding: 'der',
          }).toString('base64')
        : signature;
    return {
      vdsData,
      publicKeyPem: enrolled.publicKeyPem,
      deviceId: 'fuzz-phone',
      platform: 'simulator',
      timestamp,
      signatureBase64,
    };
  }

  const randomDerBase64 = fc
    .string({ maxLength: 20 })
    .map((message) =>
      sign('sha256', Buffer.from(message), { key: enrolled.privateKey, dsaEncoding: 'der' }).toString('base64'),
    );
  const base64ish = fc.oneof(
    fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    fc.string({ maxLength: 100 }),
  );

  it('answers arbitrary POST /auth/initiate bodies below 500 with problem+json errors', async () => {
    const shaped = looseRecord(
      {
        tokenId: field(fc.oneof(fc.constant(enrolled.tokenId), fc.uuid())),
        serviceVds: field(fc.oneof(fc.constant(service.serviceVds), textMutation(service.serviceVds), vdsLikeText)),
        serviceId: field(fc.oneof(fc.constant(service.serviceId), fc.stringMatching(/^[a-z0-9-]{1,64}$/))),
        scopes: field(fc.array(scopeToken, { maxLength: 5 })),
        client_assertion_type: field(fc.constant('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')),
        client_assertion: field(fc.stringMatching(/^[A-Za-z0-9_-]{0,40}\.[A-Za-z0-9_-]{0,40}\.[A-Za-z0-9_-]{0,40}$/)),
      },
      { allOptional: true },
    );
    const authorization = fc.oneof(
      fc.constant(undefined),
      fc.constant('valid'),
      fc.string({ maxLength: 40 }).map((text) => `Basic ${Buffer.from(text).toString('base64')}`),
      // Any value a header may carry (visible ASCII, space and tab; fetch refuses the rest before sending).
      fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((text) => text.replace(/[^\t\x20-\x7e]/g, '')),
    );
    await fc.assert(
      fc.asyncProperty(jsonBody(shaped), authorization, contentType, async (body, auth, type) => {
        const response = await postJson('/auth/initiate', body, {
          'content-type': type,
          authorization: auth === 'valid' ? basic() : auth,
        });
        const answer = await expectRestAnswer(response, [200]);
        if (response.status === 200) expect(answer.sessionId).toMatch(/^sess_[A-Za-z0-9_-]{22}$/);
      }),
      runHttp(120),
    );
    await expectHealthy();
  }, 180_000);

  it('answers arbitrary POST /auth/verify requests below 500, live sessions and valid signatures included', async () => {
    /** A claims-only session (spec §6.5) of the fuzz service: its sessionId and the OTP inside its QR. */
    const liveSession = async () => {
      const response = await postJson(
        '/auth/initiate',
        { kind: 'json', value: { serviceId: service.serviceId, scopes: ['identity:basic'] } },
        { 'content-type': 'application/json', authorization: basic() },
      );
      const { sessionId, qr } = (await expectRestAnswer(response, [200])) as { sessionId: string; qr: string };
      const { otp } = JSON.parse(Buffer.from(qr.slice('IDTK1:'.length), 'base64url').toString('utf8')) as {
        otp: string;
      };
      return { sessionId, otp };
    };
    const plan = fc.record({
      session: mostly(fc.constant('live'), fc.constantFrom('random', 'junk'), 4),
      otp: mostly<unknown>(fc.constant('right'), fc.oneof(fc.stringMatching(/^\d{6}$/), junkValue), 3),
      tokenId: mostly<unknown>(fc.constant('enrolled'), fc.oneof(fc.uuid(), junkValue)),
      timestampOffset: mostly(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -100, max: 100 })),
      timestamp: mostly<unknown>(fc.constant(undefined), junkValue, 8),
      grantedScopes: mostly<unknown>(
        fc.constantFrom(['identity:basic'], [], ['identity:name']),
        fc.oneof(fc.array(scopeToken, { maxLength: 4 }), junkValue),
        3,
      ),
      signature: mostly<unknown>(fc.constant('valid'), fc.oneof(randomDerBase64, base64ish, junkValue), 3),
      extra: mostly(fc.constant({}), fc.dictionary(fc.string({ maxLength: 8 }), junkValue, { maxKeys: 1 }), 8),
      raw: mostly<JsonBody | undefined>(fc.constant(undefined), jsonBody(fc.constant({})), 8),
    });
    await fc.assert(
      fc.asyncProperty(plan, async (p) => {
        if (p.raw) {
          await expectRestAnswer(await postJson('/auth/verify', p.raw, { 'content-type': 'application/json' }), []);
          return;
        }
        const live = p.session === 'live' ? await liveSession() : undefined;
        const sessionId =
          live?.sessionId ?? (p.session === 'random' ? `sess_${Buffer.alloc(16, 7).toString('base64url')}` : 'sess_');
        const otp = p.otp === 'right' ? (live?.otp ?? '000000') : p.otp;
        const timestamp = p.timestamp ?? nowSeconds() + p.timestampOffset;
        const scopes = p.grantedScopes;
        const signable =
          typeof otp === 'string' &&
          typeof timestamp === 'number' &&
          Array.isArray(scopes) &&
          scopes.every((scope) => typeof scope === 'string');
        // spec §6.2: sessionId|otp|timestamp|grantedScopes sorted ascending, joined with ",".
        const signatureBase64 =
          p.signature === 'valid' && signable
            ? sign('sha256', Buffer.from(`${sessionId}|${otp}|${timestamp}|${[...scopes].sort().join(',')}`), {
                key: enrolled.privateKey,
                dsaEncoding: 'der',
              }).toString('base64')
            : p.signature;
        const body = {
          ...p.extra,
          sessionId,
          tokenId: p.tokenId === 'enrolled' ? enrolled.tokenId : p.tokenId,
          otp,
          timestamp,
          grantedScopes: scopes,
          signatureBase64,
        };
        const response = await postJson(
          '/auth/verify',
          { kind: 'json', value: body },
          { 'content-type': 'application/json' },
        );
        const answer = await expectRestAnswer(response, [200]);
        if (response.status === 200) expect(answer.status).toBe('approved');
      }),
      runHttp(100),
    );
    await expectHealthy();
  }, 180_000);

  it('answers arbitrary POST /enroll bodies below 500 with problem+json, and never enrolls a mutated VDS', async () => {
    const binary = decodeVds(enrolled.vds).binary;
    const mutatedVds = fc
      .tuple(anyByteMutation(binary.length), fc.constantFrom('text', 'hex', 'b64'))
      .map(([mutation, as]) => {
        const bytes = Buffer.from(applyMutation(binary, mutation));
        return as === 'text' ? toVdsText(bytes) : bytes.toString(as === 'hex' ? 'hex' : 'base64');
      });
    const shaped = fc
      .record({
        vds: fc.oneof(fc.constant(enrolled.vds), mutatedVds, textMutation(enrolled.vds), vdsLikeText),
        timestampOffset: mostly(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -100, max: 100 })),
        signature: mostly(fc.constant('valid'), fc.oneof(randomDerBase64, base64ish), 2),
        overrides: mostly(
          fc.constant({}),
          fc.record(
            {
              publicKeyPem: field(textMutation(enrolled.publicKeyPem)),
              deviceId: junkValue,
              fcmToken: field(fc.string({ minLength: 1, maxLength: 50 })),
              platform: field(fc.constantFrom('ios', 'android', 'web', 'simulator', 'symbian')),
              timestamp: junkValue,
              signatureBase64: junkValue,
              vdsData: junkValue,
            },
            { requiredKeys: [] },
          ),
          3,
        ),
        drop: mostly(
          fc.constant<string[]>([]),
          fc.subarray(['vdsData', 'publicKeyPem', 'deviceId', 'platform', 'timestamp', 'signatureBase64']),
        ),
      })
      .map(({ vds, timestampOffset, signature, overrides, drop }) => {
        const body = { ...enrollBody(nowSeconds() + timestampOffset, signature, vds), ...overrides };
        return Object.fromEntries(Object.entries(body).filter(([key]) => !drop.includes(key)));
      });
    await fc.assert(
      fc.asyncProperty(jsonBody(shaped), contentType, async (body, type) => {
        // The holder is enrolled already and the fuzzer holds no other credential: nothing here may enroll.
        await expectRestAnswer(await postJson('/enroll', body, { 'content-type': type }), []);
      }),
      runHttp(120),
    );
    await expectHealthy();
  }, 180_000);

  it('refuses arbitrary device-signed requests with a DomainError; a signature counts for its own action and fields only', async () => {
    const verifier = server.app.get(DeviceRequestVerifier);
    const accepted = new Set<string>();
    const action = fc.constantFrom(...DEVICE_ACTIONS);
    const fields = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
    const plan = fc.record({
      signedAction: action,
      verifiedAction: fc.oneof(fc.constant(undefined), action),
      fields,
      fieldsSent: fc.constantFrom('same', 'reordered', 'changed'),
      offset: fc.integer({ min: -5, max: 5 }),
      tokenId: mostly<string | undefined>(fc.constant(undefined), fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })), 3),
      timestamp: mostly<number | undefined>(fc.constant(undefined), fc.oneof(fc.double(), fc.integer()), 3),
      signature: mostly<string | undefined>(
        fc.constant(undefined),
        fc.oneof(base64ish, fc.string({ unit: 'binary', maxLength: 120 })),
        2,
      ),
    });
    await fc.assert(
      fc.asyncProperty(plan, async (p) => {
        const timestamp = p.timestamp ?? nowSeconds() + p.offset;
        const verifiedAction: DeviceAction = p.verifiedAction ?? p.signedAction;
        const signatureBase64 =
          p.signature ??
          sign('sha256', Buffer.from(deviceRequestMessage(p.signedAction, enrolled.tokenId, timestamp, p.fields)), {
            key: enrolled.privateKey,
            dsaEncoding: 'der',
          }).toString('base64');
        const sent =
          p.fieldsSent === 'same'
            ? p.fields
            : p.fieldsSent === 'reordered'
              ? (reorderKeys(p.fields) as Record<string, unknown>)
              : { ...p.fields, '\u0000changed': true };
        const envelope = { tokenId: p.tokenId ?? enrolled.tokenId, timestamp, signatureBase64 };
        const genuine =
          p.signature === undefined &&
          p.tokenId === undefined &&
          p.timestamp === undefined &&
          verifiedAction === p.signedAction &&
          p.fieldsSent !== 'changed';
        const replayKey = `${timestamp}:${verifiedAction}`;
        try {
          await verifier.verify(verifiedAction, envelope, sent);
          if (!genuine || accepted.has(replayKey))
            throw new Error('a request that is not genuine and fresh was accepted');
          accepted.add(replayKey);
        } catch (error) {
          if (!(error instanceof DomainError)) throw unexpected(error, 'DomainError');
          if (genuine) {
            // A genuine request is refused only as the replay of one accepted before.
            expect({ code: error.code, seenBefore: accepted.has(replayKey) }).toEqual({
              code: 'replayed_request',
              seenBefore: true,
            });
          } else if (p.tokenId === undefined && p.timestamp === undefined && p.signature === undefined) {
            // The holder's own key, the wrong action or fields: the signature does not verify.
            expect(error.code).toBe('invalid_signature');
          }
        }
      }),
      runHttp(150),
    );
  }, 180_000);

  it('answers arbitrary SAMLRequest values below 500 on both bindings, DTDs refused, wrapped requests never accepted', async () => {
    const now = new Date();
    const plausible: AuthnRequestFields = {
      id: `_${randomUUID().replaceAll('-', '')}`,
      version: '2.0',
      issueInstant: now.toISOString().replace(/\.\d+Z$/, 'Z'),
      destination: `${issuer}/saml/sso`,
      issuer: SP_ENTITY_ID,
      acsUrl: SP_ACS,
      protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
      nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      extraChild: '',
    };
    const validXml = authnRequestXml(plausible);
    const attacker = createSamlSigner();
    const wrapped = WRAPPING_SHAPES.map((shape) => shape.build(signMessage(validXml, samlSigner), attacker));

    type Message =
      | { kind: 'xml'; xml: string; encoding: 'binding' | 'deflated' | 'plain' | 'utf16' }
      | { kind: 'dtd'; xml: string }
      | { kind: 'wrapped'; xml: string; mutated: boolean }
      | { kind: 'bytes'; bytes: Uint8Array; deflate: boolean }
      | { kind: 'raw'; text: string };
    const message: fc.Arbitrary<Message> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('xml' as const),
          xml: fc.oneof(
            { arbitrary: authnRequestFields(plausible).map(authnRequestXml), weight: 6 },
            textMutation(validXml),
            xmlish,
            xmlish.map((xml) => `<?xml version="1.0"?>${xml}`),
          ),
          encoding: mostly(fc.constant('binding' as const), fc.constantFrom('deflated', 'plain', 'utf16')),
        }),
      },
      fc.record({ kind: fc.constant('dtd' as const), xml: fc.constantFrom(...dtdDocuments(validXml)) }),
      fc.record({
        kind: fc.constant('wrapped' as const),
        xml: fc.constantFrom(...wrapped),
        mutated: fc.constant(false),
      }),
      fc.record({
        kind: fc.constant('wrapped' as const),
        xml: fc.constantFrom(...wrapped).chain(textMutation),
        mutated: fc.constant(true),
      }),
      fc.record({
        kind: fc.constant('bytes' as const),
        bytes: fc.uint8Array({ maxLength: 300 }),
        deflate: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('raw' as const), text: fc.string({ unit: 'binary', maxLength: 200 }) }),
    );
    const plan = fc.record({
      binding: fc.constantFrom('redirect', 'post'),
      message,
      relayState: mostly(fc.constant(undefined), fc.string({ maxLength: 100 }), 3),
      extra: mostly(
        fc.constant(''),
        fc.constantFrom(
          '&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256&Signature=AAAA',
          '&Signature=AAAA',
          '&SAMLRequest=again',
          '&SAMLEncoding=gzip',
          '&%53AMLRequest=x',
          '&RelayState=%FF',
          '&SAMLResponse=x',
        ),
      ),
    });
    const encoded = (m: Message, binding: string): string => {
      const deflate = (bytes: Buffer) => deflateRawSync(bytes).toString('base64');
      switch (m.kind) {
        case 'raw':
          return m.text;
        case 'bytes':
          return m.deflate ? deflate(Buffer.from(m.bytes)) : Buffer.from(m.bytes).toString('base64');
        case 'xml': {
          const bytes =
            m.encoding === 'utf16'
              ? Buffer.concat([Buffer.of(0xff, 0xfe), Buffer.from(m.xml, 'utf16le')])
              : Buffer.from(m.xml);
          const compress = m.encoding === 'deflated' || (m.encoding !== 'plain' && binding === 'redirect');
          return compress ? deflate(bytes) : bytes.toString('base64');
        }
        default:
          return binding === 'redirect' ? deflate(Buffer.from(m.xml)) : Buffer.from(m.xml).toString('base64');
      }
    };
    await fc.assert(
      fc.asyncProperty(plan, async ({ binding, message: m, relayState, extra }) => {
        const value = encoded(m, binding);
        const relay = relayState === undefined ? '' : `&RelayState=${encodeURIComponent(relayState)}`;
        const response =
          binding === 'redirect'
            ? await http(`/saml/sso?SAMLRequest=${encodeURIComponent(value)}${relay}${extra}`)
            : await http('/saml/sso', {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: `SAMLRequest=${encodeURIComponent(value)}${relay}${extra}`,
              });
        const text = await response.text();
        if (response.status >= 500) throw new Error(`server error ${response.status}: ${text.slice(0, 300)}`);
        if (m.kind === 'dtd') expect(response.status).toBe(400);
        // XSW1–XSW8 around the SP's signed request, pointing at an ACS it never registered: no login starts.
        if (m.kind === 'wrapped' && !m.mutated) expect(response.status).toBe(400);
      }),
      runHttp(80),
    );
    await expectHealthy();
  }, 180_000);
});
