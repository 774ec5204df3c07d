import { createPublicKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { CLIENT_ASSERTION_LIFETIME_S, createClientAssertion } from './client-assertion.js';

/** spec §6.1 service authentication by RFC 7523 client assertion. */
describe('client assertion (RFC 7523, spec §6.1)', () => {
  const issuer = 'https://id.example';
  const now = new Date('2030-01-02T03:04:05.678Z');
  const iat = Math.floor(now.getTime() / 1000);

  it('carries header {alg, kid, typ: JWT} and iss = sub = serviceId, aud = issuer, exp = iat + 60, a 16-byte jti', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const assertion = await createClientAssertion('shop', issuer, { privateKey, alg: 'ES256', kid: 'k1' }, now);
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'ES256', kid: 'k1', typ: 'JWT' });
    const claims = decodeJwt(assertion);
    expect(claims).toEqual({
      iss: 'shop',
      sub: 'shop',
      aud: issuer,
      iat,
      exp: iat + 60,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    expect(CLIENT_ASSERTION_LIFETIME_S).toBe(60);
    expect(Buffer.from(claims.jti!, 'base64url')).toHaveLength(16);
    // The server verifies with the registered public key; here the public half goes through node:crypto's JWK import.
    const registered = createPublicKey({ key: await exportJWK(publicKey), format: 'jwk' });
    await expect(
      jwtVerify(assertion, registered, { issuer: 'shop', subject: 'shop', audience: issuer, currentDate: now }),
    ).resolves.toBeDefined();
  });

  it('omits kid when none is given', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const assertion = await createClientAssertion('shop', issuer, { privateKey, alg: 'ES256' }, now);
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'ES256', typ: 'JWT' });
  });

  it('uses a fresh jti for every assertion', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const key = { privateKey, alg: 'ES256' };
    const [first, second] = await Promise.all([
      createClientAssertion('shop', issuer, key, now),
      createClientAssertion('shop', issuer, key, now),
    ]);
    expect(decodeJwt(first).jti).not.toBe(decodeJwt(second).jti);
  });

  it('signs with a private JWK and other algorithms (EdDSA)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const assertion = await createClientAssertion('shop', issuer, { privateKey: jwk, alg: 'EdDSA', kid: 'ed' }, now);
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'EdDSA', kid: 'ed', typ: 'JWT' });
    const verifyKey = await importJWK(await exportJWK(publicKey), 'EdDSA');
    await expect(jwtVerify(assertion, verifyKey, { currentDate: now })).resolves.toBeDefined();
  });

  it('is no longer valid 61 s after iat', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const assertion = await createClientAssertion('shop', issuer, { privateKey, alg: 'ES256' }, now);
    const later = new Date(now.getTime() + 61_000);
    await expect(jwtVerify(assertion, publicKey, { currentDate: later })).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
  });
});
