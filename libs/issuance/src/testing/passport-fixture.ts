import { createPrivateKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { createChallengeSigner, type ChallengeSigner } from './aa-signer.js';
import type { TestCsca } from './test-csca.js';
import type { TestPassport } from './passport-factory.js';

/**
 * A saved test passport, so a CLI or an end-to-end test can replay it against a server: the chip's files under
 * spec §3's names (b64, RFC 4648 §4), the CSCA to configure (spec §9), and the AA private key so the holder of
 * the file can answer fresh challenges. Test data only: it contains a private key.
 */
export const PASSPORT_FIXTURE_FORMAT = 'idtoken-test-passport/1';

const b64 = z.base64();

const fixtureSchema = z.strictObject({
  format: z.literal(PASSPORT_FIXTURE_FORMAT),
  description: z.string().optional(),
  /** Informational: the MRZ lines as DG1 holds them. */
  mrz: z.array(z.string()).optional(),
  dg1: b64,
  dg2: b64,
  sod: b64,
  dg15: b64.optional(),
  /** The face image inside DG2, for spec §3's `photoWebp` field when the photo is WEBP. */
  photo: b64.optional(),
  /** DER X.509 of the CSCA that issued the Document Signer. */
  cscaCertificate: b64.optional(),
  /** DER PKCS#8 of the DG15 private key. */
  aaPrivateKey: b64.optional(),
  aaRsaHashAlgorithm: z.enum(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']).optional(),
});

export type PassportFixture = z.infer<typeof fixtureSchema>;

/** A fixture read back: the files as bytes, ready for `passiveAuthentication` and a station's request body. */
export interface LoadedPassport {
  dg1: Uint8Array;
  dg2: Uint8Array;
  sod: Uint8Array;
  dg15?: Uint8Array;
  photo?: Uint8Array;
  mrzLines?: string[];
  cscaCertificateDer?: Uint8Array;
  aaPrivateKey?: KeyObject;
  /** Throws when the fixture carries no AA key. */
  signChallenge: ChallengeSigner;
}

const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export function passportToFixture(
  passport: TestPassport,
  options: { csca?: TestCsca; description?: string } = {},
): PassportFixture {
  return {
    format: PASSPORT_FIXTURE_FORMAT,
    ...(options.description === undefined ? {} : { description: options.description }),
    mrz: passport.mrzLines,
    dg1: toB64(passport.dg1),
    dg2: toB64(passport.dg2),
    sod: toB64(passport.sod),
    ...(passport.dg15 ? { dg15: toB64(passport.dg15) } : {}),
    photo: toB64(passport.photo),
    ...(options.csca ? { cscaCertificate: toB64(options.csca.certificateDer) } : {}),
    ...(passport.aaPrivateKey
      ? { aaPrivateKey: toB64(passport.aaPrivateKey.export({ format: 'der', type: 'pkcs8' })) }
      : {}),
    ...(passport.aaRsaHashAlgorithm ? { aaRsaHashAlgorithm: passport.aaRsaHashAlgorithm } : {}),
  };
}

/** Parses and validates a fixture (JSON text or an already-parsed value); throws a ZodError naming bad fields. */
export function fixtureFromJson(json: string | unknown): LoadedPassport {
  const fixture = fixtureSchema.parse(typeof json === 'string' ? JSON.parse(json) : json);
  const aaPrivateKey = fixture.aaPrivateKey
    ? createPrivateKey({ key: Buffer.from(fixture.aaPrivateKey, 'base64'), format: 'der', type: 'pkcs8' })
    : undefined;
  return {
    dg1: fromB64(fixture.dg1),
    dg2: fromB64(fixture.dg2),
    sod: fromB64(fixture.sod),
    ...(fixture.dg15 ? { dg15: fromB64(fixture.dg15) } : {}),
    ...(fixture.photo ? { photo: fromB64(fixture.photo) } : {}),
    ...(fixture.mrz ? { mrzLines: fixture.mrz } : {}),
    ...(fixture.cscaCertificate ? { cscaCertificateDer: fromB64(fixture.cscaCertificate) } : {}),
    ...(aaPrivateKey ? { aaPrivateKey } : {}),
    signChallenge: aaPrivateKey
      ? createChallengeSigner(aaPrivateKey, { rsaHashAlgorithm: fixture.aaRsaHashAlgorithm })
      : () => {
          throw new Error('this fixture has no Active Authentication key');
        },
  };
}
