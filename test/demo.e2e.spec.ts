import { DEMO_SERVICE_ID, startDemo } from '../apps/idp/src/demo.js';
import { BOOTSTRAP_ADMIN_KEY } from './support/credentials.js';
import { freePort, startTestApp, type RunningApp } from './support/test-app.js';

/**
 * `IDTOKEN_DEMO=1 npm start` (README walkthrough): the Demo Shop registered at the IdP and running next to it, and
 * on the next start the same service with a new secret that works (a secret is shown once). The browser flows
 * through the shop are in browser.e2e.spec.ts.
 */
describe('the Demo Shop next to the server (IDTOKEN_DEMO=1)', () => {
  let server: RunningApp;

  beforeAll(async () => {
    const port = await freePort();
    server = await startTestApp(
      { IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY, ISSUER_URL: `http://127.0.0.1:${port}` },
      { port },
    );
  });
  afterAll(async () => server?.close());

  it('registers the shop once, gives it a working secret at every start, and prints the walkthrough', async () => {
    for (let start = 0; start < 2; start += 1) {
      const shopPort = await freePort();
      const { shop, walkthrough } = await startDemo(server.app, {
        issuerUrl: server.baseUrl,
        shopPort,
        nodeEnv: 'test',
      });
      try {
        expect(walkthrough).toContain(`http://localhost:${shopPort}`);
        expect(walkthrough).toContain(`trust --service ${DEMO_SERVICE_ID}`);
        const home = await fetch(`${shop.url}/`);
        expect(home.status).toBe(200);
        expect(await home.text()).toContain('Log in with IDToken');
        // The OIDC client is registered with the shop's redirect URI: the authorization request is accepted.
        const login = await fetch(`${shop.url}/login`, { redirect: 'manual' });
        const authorize = new URL(login.headers.get('location')!);
        expect(authorize.searchParams.get('client_id')).toBe(DEMO_SERVICE_ID);
        const atIdp = await fetch(authorize, { redirect: 'manual' });
        expect(atIdp.status).toBe(303);
        expect(atIdp.headers.get('location')).toMatch(/\/interaction\//);
        // The secret of this start works: a claims-only session starts, its QR is on the page.
        const verify = await fetch(`${shop.url}/verify-age`);
        expect(verify.status).toBe(200);
        expect(await verify.text()).toContain('data:image/png;base64,');
        // The Service VDS of the shop, for the phone to trust.
        expect((await fetch(`${shop.url}/register`)).status).toBe(200);
      } finally {
        await shop.close();
      }
    }
    const services = await fetch(`${server.baseUrl}/admin/services`, {
      headers: { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` },
    });
    const listed = (await services.json()) as { services?: { serviceId: string }[] } | { serviceId: string }[];
    const ids = (Array.isArray(listed) ? listed : (listed.services ?? [])).map((service) => service.serviceId);
    expect(ids.filter((id) => id === DEMO_SERVICE_ID)).toHaveLength(1);
  });
});
