import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Order n of the P-256 group (SEC 2 §2.4.2), written out here rather than imported from the code under test. */
export const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const bigIntOf = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex')}`);

/** The minimal DER INTEGER content of a non-negative value (a 0x00 pad only when the top bit would be set). */
export function integerContent(value: bigint): number[] {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = [...Buffer.from(hex, 'hex')];
  return (bytes[0] ?? 0) & 0x80 ? [0, ...bytes] : bytes;
}

/**
 * SEQUENCE { INTEGER r, INTEGER s } from raw INTEGER contents, so that tests can write hostile encodings byte by
 * byte: a BER long-form length, bytes after the SEQUENCE.
 */
export function derOfContents(
  rContent: number[],
  sContent: number[],
  options: { longFormLength?: boolean; trailing?: number[] } = {},
): Buffer {
  const body = [0x02, rContent.length, ...rContent, 0x02, sContent.length, ...sContent];
  const length = options.longFormLength ? [0x81, body.length] : [body.length];
  return Buffer.from([0x30, ...length, ...body, ...(options.trailing ?? [])]);
}

/** Strict DER of (r, s), as a secure element would write it. */
export const derOf = (r: bigint, s: bigint): Buffer => derOfContents(integerContent(r), integerContent(s));

/** A P-256 key pair the test controls, and its signatures in either encoding. */
export class P256Signer {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor() {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  }

  get publicKeyPem(): string {
    return this.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  /** Spec §4: keyId = b64url(SHA-256(SPKI DER)). */
  get keyId(): string {
    return createHash('sha256')
      .update(this.publicKey.export({ format: 'der', type: 'spki' }))
      .digest('base64url');
  }

  /** ECDSA P-256 / SHA-256, ASN.1 DER (spec §5.1). */
  der(message: string): Buffer {
    return sign('sha256', Buffer.from(message, 'utf8'), { key: this.privateKey, dsaEncoding: 'der' });
  }

  /** The same signature's integers (from the raw IEEE P1363 form r ‖ s). */
  integers(message: string): { r: bigint; s: bigint; raw: Buffer } {
    const raw = sign('sha256', Buffer.from(message, 'utf8'), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return { r: bigIntOf(raw.subarray(0, 32)), s: bigIntOf(raw.subarray(32)), raw };
  }
}

/** Spec §5.1: b64url(SHA-256(canonical JSON)) of flat string fields (keys sorted; no whitespace). */
export function canonicalDigest(fields: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(JSON.stringify(sorted), 'utf8').digest('base64url');
}

export const pemOfSpki = (der: Uint8Array): string =>
  `-----BEGIN PUBLIC KEY-----\n${(
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  ).join('\n')}\n-----END PUBLIC KEY-----\n`;

/** AlgorithmIdentifier { id-ecPublicKey, prime256v1 } (RFC 5480 §2.1.1), DER. */
const P256_ALGORITHM = Buffer.from('301306072a8648ce3d020106082a8648ce3d030107', 'hex');

/** SubjectPublicKeyInfo { P-256 algorithm, BIT STRING (0 unused bits) ‖ point }. */
export function p256Spki(point: Uint8Array): Buffer {
  const bitString = Buffer.from([0x03, point.length + 1, 0x00, ...point]);
  return Buffer.concat([Buffer.from([0x30, P256_ALGORITHM.length + bitString.length]), P256_ALGORITHM, bitString]);
}

/** Public keys that are not a P-256 point, each as an SPKI PEM (spec §4 wants "SPKI PEM of a P-256 key"). */
export function hostilePublicKeys(): [string, string][] {
  const genuine = new P256Signer().publicKey.export({ format: 'der', type: 'spki' });
  const point = genuine.subarray(genuine.length - 65);
  const offCurve = Buffer.from(point);
  offCurve[64] = (offCurve[64] ?? 0) ^ 0x01;
  const other = (type: 'rsa' | 'ed25519' | 'ec', namedCurve?: string) =>
    (type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: namedCurve ?? 'P-384' })
    ).publicKey
      .export({ format: 'pem', type: 'spki' })
      .toString();
  return [
    ['a point not on the curve (y + 1)', pemOfSpki(p256Spki(offCurve))],
    ['the all-zero point (0, 0)', pemOfSpki(p256Spki(Buffer.concat([Buffer.from([0x04]), Buffer.alloc(64)])))],
    ['the point at infinity (a single 0x00 octet)', pemOfSpki(p256Spki(Buffer.from([0x00])))],
    ['a secp256k1 key', other('ec', 'secp256k1')],
    ['a P-384 key', other('ec', 'P-384')],
    ['an RSA-2048 key', other('rsa')],
    ['an Ed25519 key', other('ed25519')],
    ['a truncated SPKI (the last 20 bytes cut)', pemOfSpki(genuine.subarray(0, genuine.length - 20))],
  ];
}

/** A JWS compact serialisation with any header and signature bytes (for alg "none" and other forgeries). */
export function compactJws(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  const part = (value: Record<string, unknown>) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(payload)}.${signature}`;
}

/** A token's payload replaced, its header and signature kept: what a tamperer sends on. */
export function withPayload(
  jwt: string,
  change: (payload: Record<string, unknown>) => Record<string, unknown>,
): string {
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  const altered = change(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>);
  return `${header}.${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${signature}`;
}

/**
 * An attacker's web server: serves `body` on every path and counts what it was asked. A `jku`/`x5u` header that
 * points here must never make the server call it.
 */
export async function attackerServer(body: unknown): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((request, response) => {
    hits.push(`${request.method ?? ''} ${request.url ?? ''}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
