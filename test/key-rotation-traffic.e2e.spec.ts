import { jest } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Clock } from '#idtoken/keys';
import type { Device } from '../apps/device/src/index.js';
import { BOOTSTRAP_ADMIN_KEY, enrolledPhone, registerService, setUpStation } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

const AHEAD_SECONDS = 360;
const GRACE_SECONDS = 3600;
const WORKERS = 6;

jest.setTimeout(120_000);

/**
 * Issue 8 acceptance: "Key rotation under traffic: tokens issued before and after verify throughout; the old key
 * leaves JWKS only after its grace period." Real logins (initiate → device-signed verify → the relying party's
 * poll) run from several workers while an admin rotates the ES256 key and the key schedule's clock moves past the
 * publish-ahead delay; every token is verified the moment it is issued, by a verifier fetching the JWKS over HTTP.
 */
describe('token-key rotation under login traffic', () => {
  let server: RunningApp;
  let device: Device;
  let secret: string;
  let offsetSeconds = 0;
  let lastIp = 0;

  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const verifyToken = (jwt: string) =>
    jwtVerify(jwt, createRemoteJWKSet(new URL('/.well-known/jwks.json', server.baseUrl)), {
      issuer: server.env.config.issuerUrl,
      audience: 'shop',
      algorithms: ['ES256'],
    });
  const tokenKids = async () => {
    const response = await fetch(`${server.baseUrl}/.well-known/jwks.json`);
    const { keys } = (await response.json()) as { keys: { kid: string; alg: string }[] };
    return keys.filter((key) => key.alg === 'ES256' && !key.kid.startsWith('service-vds-')).map((key) => key.kid);
  };

  /** One whole login over HTTP; the JWT the relying party receives. */
  const login = async (): Promise<string> => {
    lastIp += 1;
    const initiated = await fetch(`${server.baseUrl}/auth/initiate`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`shop:${secret}`).toString('base64')}`,
        'content-type': 'application/json',
        'x-forwarded-for': `198.51.${Math.floor(lastIp / 250)}.${(lastIp % 250) + 1}`,
      },
      body: JSON.stringify({ tokenId: device.tokenId, serviceId: 'shop' }),
    });
    if (initiated.status !== 200) throw new Error(`initiate answered ${initiated.status}`);
    const session = (await initiated.json()) as { sessionId: string; autoPassword: string; wsToken: string };
    const timestamp = device.unixNow();
    const grantedScopes = ['identity:name'];
    const verified = await fetch(`${server.baseUrl}/auth/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        sessionId: session.sessionId,
        tokenId: device.tokenId,
        otp: session.autoPassword,
        timestamp,
        grantedScopes,
        signatureBase64: device.signText(`${session.sessionId}|${session.autoPassword}|${timestamp}|identity:name`),
      }),
    });
    if (verified.status !== 200) throw new Error(`verify answered ${verified.status}: ${await verified.text()}`);
    const polled = await fetch(`${server.baseUrl}/auth/sessions/${session.sessionId}`, {
      headers: { authorization: `Bearer ${session.wsToken}` },
    });
    const result = (await polled.json()) as { status: string; jwt?: string };
    if (result.status !== 'approved' || !result.jwt) throw new Error(`the poll answered ${JSON.stringify(result)}`);
    return result.jwt;
  };

  beforeAll(async () => {
    server = await startTestApp({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      TOKEN_KEY_PUBLISH_AHEAD_SECONDS: String(AHEAD_SECONDS),
      TOKEN_KEY_RETIRED_GRACE_SECONDS: String(GRACE_SECONDS),
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '100000',
      TRUST_PROXY: 'true',
    });
    // Only the key schedule reads this clock: sessions, OTPs and token lifetimes keep real time.
    const clock = server.app.get(Clock);
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(Date.now() + offsetSeconds * 1000));
    const issuer = await setUpStation(server.baseUrl);
    const service = await registerService(server.baseUrl, { serviceId: 'shop', allowedScopes: ['identity:name'] });
    secret = service.serviceSecret;
    ({ device } = await enrolledPhone(server.baseUrl, issuer, service.serviceVds));
  });
  afterAll(async () => server?.close());

  it('verifies every token, before and after the rotation, throughout; the old key leaves only after its grace', async () => {
    const oldKid = (await tokenKids())[0];
    /** 0: before the rotation; 1: rotated, new key published; 2: the new key's activation time has come. */
    let phase = 0;
    const issued: { jwt: string; kid: string; startedIn: number; endedIn: number }[] = [];
    const failures: unknown[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        try {
          const startedIn = phase;
          const jwt = await login();
          const endedIn = phase;
          // Verified the moment it arrives, as a relying party would.
          await verifyToken(jwt);
          issued.push({ jwt, kid: decodeProtectedHeader(jwt).kid!, startedIn, endedIn });
        } catch (error) {
          failures.push(error);
        }
      }
    };
    const until = async (condition: () => boolean) => {
      const deadline = Date.now() + 60_000;
      while (!condition()) {
        if (Date.now() > deadline || failures.length > 0) throw new Error('traffic stalled or failed');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const workers = Array.from({ length: WORKERS }, worker);
    try {
      await until(() => issued.length >= 20);
      const rotated = await admin('/admin/keys/rotate', { method: 'POST', body: {} });
      expect(rotated.status).toBe(201);
      const { kid: newKid, activatesAt } = (await rotated.json()) as { kid: string; activatesAt: string };
      /** Moves the key schedule's clock to `ms` (real time keeps running under it: margins below are seconds). */
      const clockAt = (ms: number) => (offsetSeconds = (ms - Date.now()) / 1000);
      const graceEnds = Date.parse(activatesAt) + GRACE_SECONDS * 1000;
      phase = 1;
      const atRotation = issued.length;
      // Published at once, still not signing: the traffic goes on with the old key.
      expect(await tokenKids()).toEqual([oldKid, newKid]);
      await until(() => issued.length >= atRotation + 20);

      offsetSeconds = AHEAD_SECONDS;
      phase = 2;
      await until(() => issued.filter((token) => token.kid === newKid).length >= 20);
      running = false;
      await Promise.all(workers);

      expect(failures).toEqual([]);
      expect(new Set(issued.map((token) => token.kid))).toEqual(new Set([oldKid, newKid]));
      // The old key signed until the new one's time came, the new one from then on.
      expect(issued.filter((token) => token.endedIn < 2).every((token) => token.kid === oldKid)).toBe(true);
      expect(issued.filter((token) => token.startedIn === 2).every((token) => token.kid === newKid)).toBe(true);
      expect(issued.filter((token) => token.startedIn === 1 && token.endedIn === 1).length).toBeGreaterThan(0);

      // Until the grace after the old key's retirement (= the new key's activation) ends, both are published.
      await expect(Promise.all(issued.map(({ jwt }) => verifyToken(jwt)))).resolves.toHaveLength(issued.length);
      clockAt(graceEnds - 5_000);
      expect(await tokenKids()).toEqual([oldKid, newKid]);
      for (const { jwt } of issued) await verifyToken(jwt);

      clockAt(graceEnds + 5_000);
      expect(await tokenKids()).toEqual([newKid]);
      for (const { jwt, kid } of issued) {
        if (kid === newKid) await expect(verifyToken(jwt)).resolves.toBeDefined();
        else await expect(verifyToken(jwt)).rejects.toThrow(/no applicable key/i);
      }
    } finally {
      running = false;
      await Promise.all(workers);
    }
  });
});
