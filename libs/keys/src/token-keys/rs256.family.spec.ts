// Independent peers (CONVENTIONS.md): @peculiar/x509's parser, Node's X509Certificate and the openssl CLI read what
// we wrote; an RFC 7638 thumbprint computed here by hand names the key.
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';
import type { KeyMaterial } from '../key-material.store.js';
import { RS256_TOKEN_KEYS } from './rs256.family.js';
import type { NewTokenKey } from './token-key-family.js';

const NOW = new Date(Date.UTC(2030, 0, 1));
const ACTIVATES_AT = new Date(NOW.getTime() + 360_000);
const DAY_MS = 86_400_000;

/** The row KeyMaterialStore makes of a new key. */
const stored = (key: NewTokenKey): KeyMaterial => ({
  purpose: RS256_TOKEN_KEYS.purpose,
  kid: key.kid,
  algorithm: 'RS256',
  publicJwk: { ...createPublicKey(key.privateKey).export({ format: 'jwk' }) },
  privateKey: key.privateKey,
  certificateDer: key.certificateDer ?? null,
  createdAt: NOW,
  activatesAt: ACTIVATES_AT,
  retiredAt: null,
  withdrawnAt: null,
});

describe('RS256 token keys (RSA 2048 with a self-signed certificate in x5c)', () => {
  let key: NewTokenKey;
  let certificateDer: Buffer;

  beforeAll(async () => {
    key = await RS256_TOKEN_KEYS.generate({ now: NOW, activatesAt: ACTIVATES_AT });
    certificateDer = key.certificateDer!;
  });

  it('makes an RSA 2048 key with exponent 65537, stored as purpose token-signing-rs256', () => {
    expect(key.privateKey.asymmetricKeyType).toBe('rsa');
    expect(key.privateKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    expect(RS256_TOKEN_KEYS).toMatchObject({ algorithm: 'RS256', purpose: 'token-signing-rs256' });
  });

  it('names the key by its RFC 7638 thumbprint: SHA-256 of {"e","kty","n"} in that order, b64url', () => {
    const { e, n } = createPublicKey(key.privateKey).export({ format: 'jwk' });
    const canonical = `{"e":"${e}","kty":"RSA","n":"${n}"}`;
    expect(key.kid).toBe(createHash('sha256').update(canonical).digest('base64url'));
  });

  it('certifies the key itself: self-signed, SHA-256 with RSA, CN naming the kid, digitalSignature only', async () => {
    const certificate = new X509Certificate(certificateDer);
    expect(certificate.subject).toBe(`CN=IDToken token signing ${key.kid.slice(0, 8)}`);
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.signatureAlgorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' } });
    expect(await certificate.isSelfSigned()).toBe(true);
    expect(new NodeX509Certificate(certificateDer).ca).toBe(false);
  });

  it('is valid from 5 minutes before it was made until two years after the key starts signing', () => {
    const certificate = new X509Certificate(certificateDer);
    expect(certificate.notBefore).toEqual(new Date(NOW.getTime() - 5 * 60_000));
    expect(certificate.notAfter).toEqual(new Date(ACTIVATES_AT.getTime() + 730 * DAY_MS));
  });

  it('puts in the certificate the very key of the JWK', () => {
    const jwk = RS256_TOKEN_KEYS.publicJwk(stored(key));
    const spki = Buffer.from(new X509Certificate(certificateDer).publicKey.rawData);
    const { n, e } = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'jwk' });
    expect({ n: jwk.n, e: jwk.e }).toEqual({ n, e });
    expect(new NodeX509Certificate(certificateDer).checkPrivateKey(key.privateKey)).toBe(true);
  });

  it('publishes the public members one by one, x5c as b64 DER and x5t#S256 as the b64url SHA-256 of it', () => {
    const jwk = RS256_TOKEN_KEYS.publicJwk(stored(key));
    expect(Object.keys(jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use', 'x5c', 'x5t#S256']);
    expect(jwk).toMatchObject({ kty: 'RSA', kid: key.kid, use: 'sig', alg: 'RS256' });
    expect(jwk.x5c).toEqual([certificateDer.toString('base64')]);
    // Node's fingerprint256 is the colon-separated hex SHA-256 of the DER.
    const fingerprint = new NodeX509Certificate(certificateDer).fingerprint256.replaceAll(':', '');
    expect(Buffer.from(jwk['x5t#S256'], 'base64url').toString('hex').toUpperCase()).toBe(fingerprint);
  });

  it('writes a certificate the openssl CLI reads', () => {
    const pem = new X509Certificate(certificateDer).toString('pem');
    const result = spawnSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(result.stdout).toContain('Public-Key: (2048 bit)');
    expect(result.stdout).toContain(`Subject: CN = IDToken token signing ${key.kid.slice(0, 8)}`);
    expect(result.stdout).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\s/);
    expect(result.stdout).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
  });

  it('refuses to publish a key without its certificate', () => {
    expect(() => RS256_TOKEN_KEYS.publicJwk({ ...stored(key), certificateDer: null })).toThrow(/no certificate/);
  });
});
