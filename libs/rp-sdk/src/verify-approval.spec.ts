import { randomBytes } from 'node:crypto';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { computeApprovalHash } from './approval-hash.js';
import { SessionVerificationError } from './errors.js';
import { verifyApproval } from './verify-approval.js';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** A JWKS as the server publishes it: a token key and the Service-VDS key (spec §5), both ES256. */
describe('verifyApproval: which published key may sign the JWT', () => {
  const issuer = 'https://id.example';
  const sessionId = `sess_${randomBytes(16).toString('base64url')}`;
  const wsToken = randomBytes(32).toString('base64url');
  const random = randomBytes(16).toString('hex');
  let keys: { token: PrivateKey; serviceVds: PrivateKey; jwks: ReturnType<typeof createLocalJWKSet> };

  beforeAll(async () => {
    const token = await generateKeyPair('ES256');
    const serviceVds = await generateKeyPair('ES256');
    keys = {
      token: token.privateKey,
      serviceVds: serviceVds.privateKey,
      jwks: createLocalJWKSet({
        keys: [
          { ...(await exportJWK(token.publicKey)), kid: 'token-key', use: 'sig', alg: 'ES256' },
          { ...(await exportJWK(serviceVds.publicKey)), kid: 'service-vds-1a2b3c4d5e6f7a8b', use: 'sig', alg: 'ES256' },
        ],
      }),
    };
  });

  async function approvalSignedBy(key: PrivateKey, kid: string) {
    const jwt = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience('shop')
      .setSubject('holder')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
    return { jwt, hash: await computeApprovalHash(wsToken, sessionId, random, jwt), random };
  }
  const expected = () => ({ sessionId, wsToken, random, issuer, audience: 'shop', jwks: keys.jwks });

  it('accepts a JWT signed by the token key', async () => {
    const { claims } = await verifyApproval(await approvalSignedBy(keys.token, 'token-key'), expected());
    expect(claims.sid).toBe(sessionId);
  });

  it('refuses a JWT signed by the Service-VDS key, though the JWKS publishes it for ES256 signatures', async () => {
    const forged = await approvalSignedBy(keys.serviceVds, 'service-vds-1a2b3c4d5e6f7a8b');
    const refusal = await verifyApproval(forged, expected()).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SessionVerificationError);
    expect(refusal).toMatchObject({ code: 'invalid_jwt', message: expect.stringContaining('Service-VDS key') });
  });

  it('refuses a token key signature that names the Service-VDS kid', async () => {
    const renamed = await approvalSignedBy(keys.token, 'service-vds-1a2b3c4d5e6f7a8b');
    await expect(verifyApproval(renamed, expected())).rejects.toMatchObject({ code: 'invalid_jwt' });
  });
});
