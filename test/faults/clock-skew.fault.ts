import { setTimeout as delay } from 'node:timers/promises';
import { DeviceLogin, type Device } from '../../apps/device/src/index.js';
import { TIMESTAMP_WINDOW_SECONDS } from '#idtoken/enrollment';
import { BOOTSTRAP_ADMIN_KEY, enrolledPhone, registerService, setUpStation } from '../support/credentials.js';
import { startTestApp, type RunningApp } from '../support/test-app.js';

const SCOPES = ['identity:name'];

/**
 * Issue 11: a phone whose clock is off. spec §6.2: `|now − timestamp| ≤ 30` or `400 stale_timestamp`, checked before
 * the signature (so a refusal neither ends the session nor counts as a failed attempt). A device 29 s behind or ahead
 * is accepted; 31 s behind or ahead is refused.
 */
describe('fault: device clock skew on POST /auth/verify', () => {
  let server: RunningApp;
  let device: Device;
  let login: DeviceLogin;
  let secret: string;

  beforeAll(async () => {
    server = await startTestApp({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      INITIATE_RATE_LIMIT_PER_MINUTE: '1000',
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
    });
    const issuer = await setUpStation(server.baseUrl);
    const service = await registerService(server.baseUrl, { serviceId: 'skewed', allowedScopes: SCOPES });
    secret = service.serviceSecret;
    ({ device } = await enrolledPhone(server.baseUrl, issuer, service.serviceVds));
    login = new DeviceLogin(device, server.baseUrl);
  }, 120_000);
  afterAll(() => server?.close());

  const initiate = async (): Promise<{ sessionId: string; autoPassword: string }> => {
    const response = await fetch(`${server.baseUrl}/auth/initiate`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`skewed:${secret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ tokenId: device.tokenId, serviceId: 'skewed' }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { sessionId: string; autoPassword: string };
  };
  const verify = async (session: { sessionId: string; autoPassword: string }, timestamp: number) => {
    const response = await fetch(`${server.baseUrl}/auth/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        login.verifyBody({ sessionId: session.sessionId, otp: session.autoPassword }, SCOPES, timestamp),
      ),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as { status?: string; code?: string },
    };
  };
  /**
   * Verifies a fresh session signed by a device whose clock is `skewSeconds` off. The server compares whole seconds,
   * so the request is sent early in a second and tried again (on a new session) if its answer came in a later second
   * than it was signed in — then the server may have seen the skew one second smaller.
   */
  const verifySkewed = async (skewSeconds: number) => {
    for (let attempt = 0; ; attempt += 1) {
      while (Date.now() % 1000 > 100) await delay(10);
      const session = await initiate();
      const signedAt = Math.floor(Date.now() / 1000);
      const answer = await verify(session, signedAt + skewSeconds);
      if (Math.floor(Date.now() / 1000) === signedAt || attempt === 4) return { session, answer };
    }
  };

  it('uses the spec window of ±30 s', () => {
    expect(TIMESTAMP_WINDOW_SECONDS).toBe(30);
  });

  it.each([
    ['29 s behind', -29],
    ['29 s ahead', 29],
  ])('accepts a device clock %s', async (_, skew) => {
    const { answer } = await verifySkewed(skew);
    expect(answer).toMatchObject({ status: 200, body: { status: 'approved' } });
  });

  it.each([
    ['31 s behind', -31],
    ['31 s ahead', 31],
  ])('refuses a device clock %s with 400 stale_timestamp, and the session stays open', async (_, skew) => {
    const { session, answer } = await verifySkewed(skew);
    expect(answer.status).toBe(400);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.body.code).toBe('stale_timestamp');
    // Refused before the signature check: not a failed attempt, and the same session is approved with a good clock.
    const retried = await verify(session, Math.floor(Date.now() / 1000));
    expect(retried).toMatchObject({ status: 200, body: { status: 'approved' } });
  });
});
