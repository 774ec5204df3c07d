import { approvalHash } from './approval-hash.js';
import { deriveOtp } from './otp.js';
import { pairwiseSubject } from './pairwise-subject.js';
import { deriveWsToken } from './ws-token.js';

// Expected values printed by `python3 libs/sessions/src/derivation/vectors.py` (hmac/hashlib only, its own
// RFC 5869 HKDF — no code shared with the TypeScript under test). Its output, pasted once:
//   OTP               408915
//   OTP_CLAIMS_ONLY   991895
//   WS_TOKEN          BK_eHmU9UvD5BkWrC1TY7NXYBIP2MUE3JnQoxUxnAZ4
//   APPROVAL_HASH     9PcbNumrtneJxeiArHfQ1mLMfdpqAEUMg_eziHN5xGQ
//   PAIRWISE_SUB      MtDkj_8qevrr_dO4mK7tWfGYjGg9orCqMMxtni9dnq0
const MASTER = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const TOKEN_ID = '3f1c0c3e-9c1d-4c43-9a55-1c1f4b9e7a10';
const SESSION_ID = 'sess_AAECAwQFBgcICQoLDA0ODw';
const RANDOM = '00112233445566778899aabbccddeeff';
const EXPIRES_AT = 1767225660;
const SERVICE_ID = 'shop';
const JWT = 'a.b.c';

const OTP = '408915';
const OTP_CLAIMS_ONLY = '991895';
const WS_TOKEN = 'BK_eHmU9UvD5BkWrC1TY7NXYBIP2MUE3JnQoxUxnAZ4';
const APPROVAL_HASH = '9PcbNumrtneJxeiArHfQ1mLMfdpqAEUMg_eziHN5xGQ';
const PAIRWISE_SUB = 'MtDkj_8qevrr_dO4mK7tWfGYjGg9orCqMMxtni9dnq0';

describe('derivations match independently computed vectors', () => {
  it('derives the §6.1 OTP for a session started with a tokenId', () => {
    expect(deriveOtp(MASTER, TOKEN_ID, SESSION_ID, RANDOM)).toBe(OTP);
  });

  it('derives the §6.5 claims-only OTP with tokenId "" in the HKDF info', () => {
    expect(deriveOtp(MASTER, '', SESSION_ID, RANDOM)).toBe(OTP_CLAIMS_ONLY);
  });

  it('derives the §6.1 wsToken from K_ws, sessionId and expiresAt', () => {
    expect(deriveWsToken(MASTER, SESSION_ID, EXPIRES_AT)).toBe(WS_TOKEN);
  });

  it('derives the §6.4 approval hash keyed by the decoded wsToken', () => {
    expect(approvalHash(WS_TOKEN, SESSION_ID, RANDOM, JWT)).toBe(APPROVAL_HASH);
  });

  it('derives the §7 pairwise sub from K_sub, serviceId and tokenId', () => {
    expect(pairwiseSubject(MASTER, SERVICE_ID, TOKEN_ID)).toBe(PAIRWISE_SUB);
  });
});

describe('derivation inputs', () => {
  it('refuses a random that is not 32 lower-case hex digits', () => {
    for (const bad of ['', RANDOM.slice(2), RANDOM.toUpperCase(), `${RANDOM.slice(0, 31)}g`]) {
      expect(() => deriveOtp(MASTER, TOKEN_ID, SESSION_ID, bad)).toThrow(TypeError);
    }
  });

  it('refuses a non-integer expiresAt', () => {
    expect(() => deriveWsToken(MASTER, SESSION_ID, 1767225660.5)).toThrow(TypeError);
    expect(() => deriveWsToken(MASTER, SESSION_ID, Number.NaN)).toThrow(TypeError);
  });

  it('refuses a wsToken that is not canonical base64url', () => {
    for (const bad of ['', `${WS_TOKEN}=`, `${WS_TOKEN.slice(0, 20)}+${WS_TOKEN.slice(21)}`]) {
      expect(() => approvalHash(bad, SESSION_ID, RANDOM, JWT)).toThrow(TypeError);
    }
  });
});
