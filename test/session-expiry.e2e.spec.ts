import request from 'supertest';
import { DeviceLogin } from '../apps/device/src/index.js';
import { InProcessBackend, InProcessStore } from '#idtoken/platform';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

/**
 * spec §6.1: a session lives 60 s. The server's ephemeral store runs on a clock this test moves, so the 61st second
 * comes without sleeping (the store's TTL semantics on Redis are proven by the store's contract suite).
 */
describe('session expiry (spec §6.1, 60 s) on a controlled clock', () => {
  let server: RunningApp;
  let skewMs = 0;
  const backend = new InProcessBackend(() => Date.now() + skewMs);

  beforeAll(async () => {
    server = await startTestApp(
      { IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY },
      { ephemeralStore: new InProcessStore(backend) },
    );
  });
  afterAll(async () => {
    await server?.close();
    backend.dispose();
  });

  it('refuses a verify in the 61st second (404), and drops the request from the inbox', async () => {
    const http = () => request(server.baseUrl);
    const { station, csca } = await setUpStation(server.baseUrl);
    const { serviceSecret } = (
      await http()
        .post('/admin/services')
        .set('authorization', `Bearer ${BOOTSTRAP_ADMIN_KEY}`)
        .send({
          serviceId: 'shop',
          name: 'Shop',
          url: 'https://shop.example',
          allowedScopes: ['identity:basic'],
          defaultScopes: ['identity:name'],
          requireTrust: false,
        })
        .expect(201)
    ).body;
    const issued = await issueCredential(station, csca);
    const phone = await newDevice(server.baseUrl);
    await phone.receiveCredential(issued.vds);
    await phone.enroll({ liveFaceTemplate: issued.face });
    const login = new DeviceLogin(phone, server.baseUrl);
    const start = () =>
      http()
        .post('/auth/initiate')
        .auth('shop', serviceSecret)
        .send({ tokenId: phone.tokenId, serviceId: 'shop' })
        .expect(200)
        .then((response) => response.body as { sessionId: string; wsToken: string; expiresAt: string });
    const poll = (session: { sessionId: string; wsToken: string }) =>
      http().get(`/auth/sessions/${session.sessionId}`).set('authorization', `Bearer ${session.wsToken}`).expect(200);

    // At 59 s the session is still there and approvable…
    const early = await start();
    skewMs = 59_000;
    const [pending] = await login.inbox();
    expect(pending?.sessionId).toBe(early.sessionId);
    await login.approve(pending!, { liveFaceTemplate: issued.face });
    expect((await poll(early)).body.status).toBe('approved');

    // …at 61 s it is gone: verify finds no session, the poller reads `expired`, the phone's inbox is empty.
    skewMs = 0;
    await start();
    const [lateRequest] = await login.inbox();
    skewMs = 61_000;
    const refused = await http()
      .post('/auth/verify')
      .send(login.verifyBody(lateRequest!, lateRequest!.scopes))
      .expect(404);
    expect(refused.body.code).toBe('session_not_found');
    // (The poll's `pending → expired` turn follows the server's wall clock, which this test does not move; it is
    // covered on a controlled clock in libs/sessions/src/session.store.spec.ts.)
    expect(await login.inbox()).toEqual([]);
  });
});
