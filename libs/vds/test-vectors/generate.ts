// Writes vds-vectors.json, the published test vectors of spec §2: run ./generate.sh (it compiles this file with tsc
// and runs it with node). The output is committed and the tests only verify it — ECDSA signatures are randomised,
// so every run changes each signature and the certificate. Everything else is fixed: the key (derived from a
// published seed), the certificate's fields, the times and the payloads.
import 'reflect-metadata';
import { createECDH, createHash, createPrivateKey, createPublicKey, webcrypto, type JsonWebKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { AsnArray, AsnConvert, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';
import { Extension, X509CertificateGenerator } from '@peculiar/x509';
import { packMap, unpackMap } from '../src/codec/messagepack.js';
import { P256_ORDER } from '../src/signature/p256.js';
import {
  SIGNING_TIME,
  flipBitInText,
  identityPayload,
  servicePayload,
  signPayloadBytes,
  signTestVds,
  type TestSigner,
} from '../src/testing/vds-test-kit.js';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST, decodeVds, toVdsText, type VdsErrorCode } from '../src/index.js';

const VERIFICATION_TIME = '2026-06-01T12:00:00Z';
const KEY_SEED = 'IDToken VDS test vectors: a published test key, never a secret';
const USAGE_LIST_OID = '1.3.6.1.4.1.99999.22376.1';

/** spec §2 UsageList ::= SEQUENCE OF OCTET STRING (SIZE (3)), as libs/trust reads it. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.OctetString })
class UsageList extends AsnArray<ArrayBuffer> {}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** The P-256 key whose scalar is SHA-256 of the seed: the same key on every run. */
function seededKeyJwk(): JsonWebKey {
  const d = createHash('sha256').update(KEY_SEED).digest();
  const scalar = BigInt(`0x${d.toString('hex')}`);
  if (scalar === 0n || scalar >= P256_ORDER) throw new Error('seed gives no valid P-256 scalar; change it');
  const point = createECDH('prime256v1');
  point.setPrivateKey(d);
  const publicPoint = point.getPublicKey(); // 0x04 ‖ x ‖ y
  return {
    kty: 'EC',
    crv: 'P-256',
    d: b64url(d),
    x: b64url(publicPoint.subarray(1, 33)),
    y: b64url(publicPoint.subarray(33)),
  };
}

async function createSigner(privateJwk: JsonWebKey): Promise<TestSigner> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const publicJwk = { ...privateJwk, d: undefined };
  const keys = {
    privateKey: await webcrypto.subtle.importKey('jwk', privateJwk as webcrypto.JsonWebKey, algorithm, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('jwk', publicJwk as webcrypto.JsonWebKey, algorithm, true, ['verify']),
  };
  const usageList = AsnConvert.serialize(
    new UsageList(
      [IDENTITY_MANIFEST, SERVICE_MANIFEST].map((id) => Uint8Array.of(id >>> 16, (id >>> 8) & 0xff, id & 0xff).buffer),
    ),
  );
  const certificate = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=IDToken VDS test vectors, O=IDToken test keys (not for production)',
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2036-01-01T00:00:00Z'),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new Extension(USAGE_LIST_OID, false, usageList)],
    },
    webcrypto,
  );
  return {
    privateKey: createPrivateKey({ key: privateJwk, format: 'jwk' }),
    publicKey: createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' }),
    certificateDer: new Uint8Array(certificate.rawData),
  };
}

interface Vector {
  description: string;
  manifestId: string;
  publicKeyJwk: JsonWebKey;
  text: string;
  binaryHex: string;
  fingerprint: string | null;
  payload: Record<string, unknown> | null;
  valid: boolean;
  error?: VdsErrorCode;
}

/** Byte strings as hex, as spec §2 asks of the published payload. */
function payloadAsJson(binary: Uint8Array): Record<string, unknown> | null {
  try {
    const map = unpackMap(decodeVds(binary).payloadBytes);
    return JSON.parse(
      JSON.stringify(map, (_key, value: unknown) => (ArrayBuffer.isView(value) ? hex(value as Uint8Array) : value)),
    );
  } catch {
    return null;
  }
}

function fingerprintOf(binary: Uint8Array): string | null {
  try {
    return decodeVds(binary).fingerprint;
  } catch {
    return null;
  }
}

function mutate(binary: Uint8Array, change: (copy: Uint8Array, view: DataView) => void): Uint8Array {
  const copy = new Uint8Array(binary);
  change(copy, new DataView(copy.buffer));
  return copy;
}

async function main(outputPath: string) {
  const privateKeyJwk = seededKeyJwk();
  const signer = await createSigner(privateKeyJwk);
  const { d: _secret, ...publicKeyJwk } = privateKeyJwk;

  const identity = (overrides: Partial<Parameters<typeof identityPayload>[0]> = {}) =>
    signTestVds(signer, IDENTITY_MANIFEST, identityPayload(overrides));
  const service = (overrides: Partial<Parameters<typeof servicePayload>[0]> = {}) =>
    signTestVds(signer, SERVICE_MANIFEST, servicePayload(overrides));
  const signed = (manifestId: number, payload: object) => signPayloadBytes(signer, manifestId, packMap(payload));
  const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

  const validIdentity = identity();
  const {
    sex: _sex,
    dty: _dty,
    dst: _dst,
    dex: _dex,
    ...minimalIdentity
  } = identityPayload({
    dob: '1985-XX-XX',
    exp: '2026-06-01',
  });
  const payloadLength = new DataView(validIdentity.buffer).getUint32(21);
  const { photo: _photo, ...identityWithoutPhoto } = identityPayload();
  const n = Buffer.from(P256_ORDER.toString(16), 'hex');

  const cases: [string, number, Uint8Array, VdsErrorCode?][] = [
    ['valid identity VDS, all keys', IDENTITY_MANIFEST, validIdentity],
    [
      'valid identity VDS with AUXDATA: the first vector plus an unsigned map; same fingerprint',
      IDENTITY_MANIFEST,
      concat(validIdentity, packMap({ hint: 'AUXDATA is not signed and never trusted', gn: 'MALLORY' })),
    ],
    [
      'valid identity VDS, required keys only, dob with unknown month and day, on its last day (exp = verification day)',
      IDENTITY_MANIFEST,
      signTestVds(signer, IDENTITY_MANIFEST, minimalIdentity),
    ],
    ['valid Service VDS', SERVICE_MANIFEST, service()],
    [
      'valid Service VDS with a data:image logo',
      SERVICE_MANIFEST,
      service({ logo: 'data:image/svg+xml;base64,PHN2Zy8+' }),
    ],

    ['malformed: bad magic byte 0xDF', IDENTITY_MANIFEST, mutate(validIdentity, (b) => (b[0] = 0xdf)), 'vds_malformed'],
    [
      'malformed: IAC in lower case',
      IDENTITY_MANIFEST,
      mutate(validIdentity, (b) => b.set(Buffer.from('idt'), 1)),
      'vds_malformed',
    ],
    ['malformed: unknown CIN 0x04', IDENTITY_MANIFEST, mutate(validIdentity, (b) => (b[4] = 0x04)), 'vds_malformed'],
    ['malformed: header version 0x02', IDENTITY_MANIFEST, mutate(validIdentity, (b) => (b[5] = 0x02)), 'vds_malformed'],
    ['malformed: truncated header (20 bytes in all)', IDENTITY_MANIFEST, validIdentity.slice(0, 20), 'vds_malformed'],
    [
      'malformed: payload length runs beyond the input',
      IDENTITY_MANIFEST,
      mutate(validIdentity, (_b, view) => view.setUint32(21, payloadLength + 1000)),
      'vds_malformed',
    ],
    [
      'malformed: truncated signature (10 bytes missing)',
      IDENTITY_MANIFEST,
      validIdentity.slice(0, -10),
      'vds_malformed',
    ],
    [
      'malformed: trailing byte 0xC1 is not a MessagePack map',
      IDENTITY_MANIFEST,
      concat(validIdentity, Uint8Array.of(0xc1)),
      'vds_malformed',
    ],
    [
      'malformed: trailing MessagePack array, not a map',
      IDENTITY_MANIFEST,
      concat(validIdentity, Uint8Array.of(0x92, 1, 2)),
      'vds_malformed',
    ],
    [
      'malformed: signed payload is a MessagePack array, not a map',
      IDENTITY_MANIFEST,
      signPayloadBytes(signer, IDENTITY_MANIFEST, Uint8Array.of(0x92, 0xa2, 0x67, 0x6e, 0xa2, 0x66, 0x6e)),
      'vds_malformed',
    ],

    ['schema: unknown manifest ID 0x0A0003 (well signed)', 0x0a0003, signed(0x0a0003, identityPayload()), 'vds_schema'],
    [
      'schema: identity VDS without the required key photo (well signed)',
      IDENTITY_MANIFEST,
      signed(IDENTITY_MANIFEST, identityWithoutPhoto),
      'vds_schema',
    ],
    [
      'schema: identity VDS with a key the manifest does not name, "nickname" (well signed)',
      IDENTITY_MANIFEST,
      signed(IDENTITY_MANIFEST, { ...identityPayload(), nickname: 'ANNIE' }),
      'vds_schema',
    ],
    [
      'schema: identity VDS with gn of 40 characters (well signed)',
      IDENTITY_MANIFEST,
      signed(IDENTITY_MANIFEST, { ...identityPayload(), gn: 'A'.repeat(40) }),
      'vds_schema',
    ],
    [
      'schema: Service VDS whose url has a path (well signed)',
      SERVICE_MANIFEST,
      signed(SERVICE_MANIFEST, { ...servicePayload(), url: 'https://shop.example/login' }),
      'vds_schema',
    ],

    [
      'bad signature: one bit flipped in the payload (fn ERIKSSON → GRIKSSON)',
      IDENTITY_MANIFEST,
      flipBitInText(validIdentity, 'ERIKSSON'),
      'vds_bad_signature',
    ],
    [
      'bad signature: one bit flipped in the signature',
      IDENTITY_MANIFEST,
      mutate(validIdentity, (b) => (b[b.length - 1] ^= 0x01)),
      'vds_bad_signature',
    ],
    [
      'bad signature: r replaced by n, the group order (out of range)',
      IDENTITY_MANIFEST,
      mutate(validIdentity, (b) => b.set(n, 25 + payloadLength)),
      'vds_bad_signature',
    ],
    [
      'bad signature: the high-s twin (r, n − s) of the first vector — valid ECDSA, refused so that a fingerprint is unique (IDToken decision: low-s only)',
      IDENTITY_MANIFEST,
      mutate(validIdentity, (b) => {
        const s = BigInt(`0x${hex(b.subarray(25 + payloadLength + 32))}`);
        b.set(Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex'), 25 + payloadLength + 32);
      }),
      'vds_bad_signature',
    ],

    [
      'expired: identity VDS whose exp day (2026-05-31) has ended',
      IDENTITY_MANIFEST,
      identity({ exp: '2026-05-31' }),
      'vds_expired',
    ],
    [
      'expired: Service VDS whose exp (2026-01-01T00:00:00Z) has passed',
      SERVICE_MANIFEST,
      service({ iat: SIGNING_TIME - 365 * 86_400, exp: SIGNING_TIME }),
      'vds_expired',
    ],
  ];

  const vectors: Vector[] = cases.map(([description, manifestId, binary, error]) => ({
    description,
    manifestId: manifestId.toString(16).padStart(6, '0'),
    publicKeyJwk,
    text: toVdsText(binary),
    binaryHex: hex(binary),
    fingerprint: fingerprintOf(binary),
    payload: payloadAsJson(binary),
    valid: error === undefined,
    ...(error === undefined ? {} : { error }),
  }));

  const document = {
    note:
      'IDToken VDS test vectors (PROTOCOL.md §2), made by libs/vds/test-vectors/generate.ts. The signer key and ' +
      'certificate are TEST KEYS, published so that anyone can regenerate or extend the vectors: never trust them. ' +
      'Verify each vector at verificationTime with a trust store holding only signerCertificate (which carries a ' +
      'UsageList for 0x0A0001 and 0x0A0002). fingerprint and payload are null when the binary does not decode.',
    verificationTime: VERIFICATION_TIME,
    signerCertificate: Buffer.from(signer.certificateDer).toString('base64'),
    signerCertificateReference: hex(decodeVds(validIdentity).certificateReference),
    signerPrivateKeyJwk: privateKeyJwk,
    vectors,
  };
  writeFileSync(outputPath, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote ${vectors.length} vectors to ${outputPath}`);
}

await main(process.argv[2] ?? 'libs/vds/test-vectors/vds-vectors.json');
