import { createHmac, randomBytes } from 'node:crypto';
import { approvalHashMatches, computeApprovalHash } from './approval-hash.js';

/** spec §6.4 hash, checked against node:crypto (an implementation this SDK does not use). */
describe('approval hash (spec §6.4)', () => {
  const wsToken = randomBytes(32).toString('base64url');
  const sessionId = `sess_${randomBytes(16).toString('base64url')}`;
  const random = randomBytes(16).toString('hex');
  const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzaWQiOiJzZXNzX3gifQ.c2lnbmF0dXJl';
  const independent = (key: string, text: string): string =>
    createHmac('sha256', Buffer.from(key, 'base64url')).update(text, 'utf8').digest('base64url');

  it('equals b64url(HMAC-SHA256(b64url-decoded wsToken, "approved|sessionId|random|jwt")) from node:crypto', async () => {
    expect(await computeApprovalHash(wsToken, sessionId, random, jwt)).toBe(
      independent(wsToken, `approved|${sessionId}|${random}|${jwt}`),
    );
  });

  it('is unpadded base64url of 32 bytes', async () => {
    expect(await computeApprovalHash(wsToken, sessionId, random, jwt)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('accepts the hash node:crypto computes', async () => {
    const hash = independent(wsToken, `approved|${sessionId}|${random}|${jwt}`);
    await expect(approvalHashMatches(hash, wsToken, sessionId, random, jwt)).resolves.toBe(true);
  });

  it.each([
    ['another wsToken', { wsToken: randomBytes(32).toString('base64url') }],
    ['another sessionId', { sessionId: `sess_${randomBytes(16).toString('base64url')}` }],
    ['another random', { random: randomBytes(16).toString('hex') }],
    ['another jwt', { jwt: `${jwt}x` }],
  ])('refuses a hash computed with %s', async (_name, change) => {
    const input = { wsToken, sessionId, random, jwt, ...change };
    const hash = independent(input.wsToken, `approved|${input.sessionId}|${input.random}|${input.jwt}`);
    await expect(approvalHashMatches(hash, wsToken, sessionId, random, jwt)).resolves.toBe(false);
  });

  it('refuses a truncated hash and one that is not base64url', async () => {
    const hash = independent(wsToken, `approved|${sessionId}|${random}|${jwt}`);
    await expect(approvalHashMatches(hash.slice(0, 42), wsToken, sessionId, random, jwt)).resolves.toBe(false);
    await expect(approvalHashMatches(`${hash.slice(0, 42)}*`, wsToken, sessionId, random, jwt)).resolves.toBe(false);
  });
});
