import { generateKeyPairSync, sign } from 'node:crypto';
import type { EnrollmentEntity } from '#idtoken/enrollment';
import type { SessionRecord } from '../session-record.js';
import {
  equalOtp,
  freshTimestamp,
  grantWithinSession,
  liveSession,
  tokenIdMatches,
  validSignature,
  type VerifyRequest,
} from './verify-checks.js';
import { verifyMessage } from './verify-message.js';

const TOKEN_ID = '3f1c0c3e-9c1d-4c43-9a55-1c1f4b9e7a10';
const session = (overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  sessionId: 'sess_AAECAwQFBgcICQoLDA0ODw',
  tokenId: TOKEN_ID,
  serviceId: 'shop',
  serviceReference: 'shop',
  tokenLifetimeSeconds: 300,
  scopes: ['identity:name', 'identity:trust_level'],
  otp: '048213',
  random: '00112233445566778899aabbccddeeff',
  wsToken: 'x',
  expiresAt: 1_767_225_660,
  createdAt: 1_767_225_600,
  ...overrides,
});

describe('verify checks (spec §6.2)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const enrollment = { publicKeySpki: publicKey.export({ format: 'der', type: 'spki' }) } as EnrollmentEntity;
  const signed = (request: Omit<VerifyRequest, 'signatureBase64'>, der = true): VerifyRequest => ({
    ...request,
    signatureBase64: sign(
      'sha256',
      Buffer.from(verifyMessage(request.sessionId, request.otp, request.timestamp, request.grantedScopes)),
      { key: privateKey, dsaEncoding: der ? 'der' : 'ieee-p1363' },
    ).toString('base64'),
  });
  const request = {
    sessionId: session().sessionId,
    tokenId: TOKEN_ID,
    otp: '048213',
    timestamp: 1_767_225_610,
    grantedScopes: ['identity:trust_level', 'identity:name'],
  };

  it('signs scopes sorted ascending, joined with ","; nothing when none are granted', () => {
    expect(verifyMessage('s', '1', 5, ['b', 'a'])).toBe('s|1|5|a,b');
    expect(verifyMessage('s', '1', 5, [])).toBe('s|1|5|');
  });

  it('refuses a session that is not live', async () => {
    await expect(liveSession({ readSession: async () => undefined }, 'sess_x')).rejects.toThrow('session_not_found');
  });

  it('refuses another tokenId, except in a claims-only session', () => {
    expect(() => tokenIdMatches(session(), 'other')).toThrow('token_mismatch');
    expect(() => tokenIdMatches(session({ tokenId: undefined }), 'other')).not.toThrow();
  });

  it('refuses a timestamp 31 s away and accepts one 30 s away', () => {
    const now = new Date(1_767_225_640_000);
    expect(() => freshTimestamp(1_767_225_610, now)).not.toThrow();
    expect(() => freshTimestamp(1_767_225_609, now)).toThrow('stale_timestamp');
  });

  it('accepts a DER signature over the message, and refuses raw r‖s or another message', () => {
    expect(() => validSignature(enrollment, signed(request))).not.toThrow();
    expect(() => validSignature(enrollment, signed(request, false))).toThrow('invalid_signature');
    expect(() => validSignature(enrollment, { ...signed(request), otp: '048214' })).toThrow('invalid_signature');
  });

  it('refuses a wrong OTP', () => {
    expect(() => equalOtp(session(), '048213')).not.toThrow();
    expect(() => equalOtp(session(), '048214')).toThrow('invalid_otp');
  });

  it('refuses granted scopes beyond the session, unknown ones included', () => {
    expect(grantWithinSession(session(), ['identity:name']).atomic).toEqual(['identity:name']);
    expect(grantWithinSession(session(), ['identity:basic']).atomic).toEqual(['identity:name', 'identity:trust_level']);
    expect(() => grantWithinSession(session(), ['identity:photo'])).toThrow('scope_inflation');
    expect(() => grantWithinSession(session(), ['identity:shoe_size'])).toThrow('scope_inflation');
  });
});
