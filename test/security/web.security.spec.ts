import { randomUUID } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { SAML } from '@node-saml/node-saml';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import type { Device } from '../../apps/device/src/index.js';
import { createIdpApp } from '../../apps/idp/src/create-app.js';
import { BOOTSTRAP_ADMIN_KEY, enrolledPhone, registerService, setUpStation } from '../support/credentials.js';
import { startTestAppAtIssuer, type RunningApp } from '../support/test-app.js';
import { servicesUnderTest } from '../support/test-env.js';
import { selfSignedRsa } from '../support/tls.js';
import {
  CookieBrowser,
  PROBLEM_MEMBERS,
  authorizationUrl,
  expectProblem,
  formOf,
  framingHeaders,
  postForm,
  rawHttp,
  sessionsStarted,
  watchSession,
  type Problem,
} from './support/web-attacks.js';

const SHOP = 'https://shop.example';
const SHOP_CALLBACK = `${SHOP}/cb`;
const OTHER = 'https://other.example';
const EVIL = 'https://evil.example';
/** Fastify's bodyLimit in apps/idp/src/create-app.ts (docs/ARCHITECTURE.md: "1 MiB body limit"). */
const BODY_LIMIT = 1024 * 1024;
/** spec §6.1 / docs/configuration.md INITIATE_RATE_LIMIT_PER_MINUTE: left at its default here. */
const INITIATE_LIMIT = 10;
/** For the cases that run the SAML intake (schema validation is slow on a slow machine): a hang guard only. */
const SAML_TIMEOUT = 120_000;

/**
 * Web-facing attacks on the real server (issue 11), each an input and the refusal it must meet: request sizes,
 * header injection, CORS, the socket's Origin policy (spec §6.4), CSRF on the OIDC and SAML sign-in forms,
 * anti-framing headers, the initiate rate limit under parallel load (spec §6.1), admin privilege escalation
 * (spec §9) and what initiate reveals about a tokenId. Real HTTP, real WebSockets, no mocks.
 */
describe('web attacks on the real server (issue 11)', () => {
  let server: RunningApp;
  let issuer: string;
  let shop: { serviceSecret: string; serviceVds: string };
  let other: { serviceSecret: string; serviceVds: string };
  let phone: { device: Device };
  let revokedTokenId: string;
  let operatorKey: { id: string; apiKey: string };
  let stationKey: string;
  let samlSp: SAML;

  let lastIp = 0;
  /** A client IP of its own per use (TRUST_PROXY=true): each case meets the per-IP limit afresh. */
  const nextIp = () => {
    lastIp += 1;
    return `203.0.${Math.floor(lastIp / 250)}.${(lastIp % 250) + 1}`;
  };
  const basic = (serviceId: string, secret: string) =>
    `Basic ${Buffer.from(`${serviceId}:${secret}`).toString('base64')}`;
  const initiate = (
    body: Record<string, unknown>,
    options: { ip?: string; authorization?: string | null; baseUrl?: string } = {},
  ) =>
    fetch(`${options.baseUrl ?? issuer}/auth/initiate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': options.ip ?? nextIp(),
        ...(options.authorization === null
          ? {}
          : { authorization: options.authorization ?? basic('shop', shop.serviceSecret) }),
      },
      body: JSON.stringify(body),
    });
  const as = (key: string, path: string, method = 'GET', body?: unknown) =>
    fetch(`${issuer}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const adminKeys = async () =>
    ((await (await as(BOOTSTRAP_ADMIN_KEY, '/admin/api-keys')).json()) as { keys: { id: string; role: string }[] })
      .keys;
  const serviceIds = async () =>
    (
      (await (await as(BOOTSTRAP_ADMIN_KEY, '/admin/services')).json()) as { services: { serviceId: string }[] }
    ).services
      .map((service) => service.serviceId)
      .sort();
  const enrollmentStatus = async (tokenId: string) =>
    ((await (await as(BOOTSTRAP_ADMIN_KEY, `/admin/enrollments/${tokenId}`)).json()) as { status: string }).status;
  const healthy = async () => (await fetch(`${issuer}/health/live`)).status;

  beforeAll(async () => {
    server = await startTestAppAtIssuer({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      TRUST_PROXY: 'true',
      ENROLL_RATE_LIMIT_PER_HOUR: '1000',
      // Several sessions for one holder here; the per-IP limit (the one under test) keeps its default.
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
    });
    issuer = server.baseUrl;
    shop = await registerService(issuer, {
      serviceId: 'shop',
      url: SHOP,
      allowedScopes: ['identity:basic'],
      defaultScopes: ['identity:name'],
      oidc: { redirectUris: [SHOP_CALLBACK] },
    });
    other = await registerService(issuer, { serviceId: 'other', url: OTHER, allowedScopes: ['identity:name'] });
    const station = await setUpStation(issuer);
    phone = await enrolledPhone(issuer, station, shop.serviceVds);
    const revoked = await enrolledPhone(issuer, station, shop.serviceVds);
    revokedTokenId = revoked.device.tokenId!;
    const revocation = await as(BOOTSTRAP_ADMIN_KEY, '/revoke', 'POST', {
      tokenId: revokedTokenId,
      reason: 'lost_device',
    });
    expect(revocation.status).toBe(200);
    const operator = await as(BOOTSTRAP_ADMIN_KEY, '/admin/api-keys', 'POST', {
      name: 'night shift',
      role: 'operator',
    });
    operatorKey = (await operator.json()) as { id: string; apiKey: string };
    const desk = await as(BOOTSTRAP_ADMIN_KEY, '/admin/stations', 'POST', { name: 'second desk' });
    stationKey = ((await desk.json()) as { apiKey: string }).apiKey;

    // A SAML SP (node-saml, an independent implementation) registered from its own metadata.
    const metadata = await (await fetch(`${issuer}/saml/metadata`)).text();
    const der = /<ds:X509Certificate>([^<]+)</.exec(metadata)![1]!;
    const signing = selfSignedRsa('security-sp');
    samlSp = new SAML({
      callbackUrl: 'https://sp.example/acs',
      entryPoint: `${issuer}/saml/sso`,
      issuer: 'https://sp.example/security-sp',
      audience: 'https://sp.example/security-sp',
      idpCert: new X509Certificate(Buffer.from(der, 'base64')).toString(),
      privateKey: signing.key,
      signatureAlgorithm: 'sha256',
      // The IdP offers persistent (pairwise) NameIDs; node-saml would ask for an email address otherwise.
      identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    });
    await registerService(issuer, {
      serviceId: 'security-sp',
      url: 'https://sp.example',
      allowedScopes: ['identity:name'],
      requireTrust: false,
    });
    const saml = await as(BOOTSTRAP_ADMIN_KEY, '/admin/services/security-sp/saml', 'PUT', {
      metadataXml: samlSp.generateServiceProviderMetadata(null, signing.cert),
    });
    expect(saml.status).toBe(200);
    // The first SAML request loads the XML schema validator (WebAssembly): seconds on this VM, paid once here.
    expect((await new CookieBrowser().visit(await samlSp.getAuthorizeUrlAsync('', undefined, {}))).status).toBe(200);
  }, 180_000);
  afterAll(async () => server?.close());

  describe('request size', () => {
    /** A JSON document of exactly `bytes` bytes. */
    const jsonOf = (bytes: number) => JSON.stringify({ padding: 'x'.repeat(bytes - '{"padding":""}'.length) });
    const tooLarge = jsonOf(BODY_LIMIT + 1);

    it.each(['/auth/initiate', '/auth/verify', '/enroll', '/admin/services'])(
      'refuses a JSON body one byte over 1 MiB on POST %s with 413 payload_too_large, and stays healthy',
      async (path) => {
        const [servicesBefore, sessionsBefore] = [await serviceIds(), await sessionsStarted(issuer)];
        const response = await fetch(`${issuer}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-forwarded-for': nextIp(),
            authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}`,
          },
          body: tooLarge,
        });
        expect(Buffer.byteLength(tooLarge)).toBe(BODY_LIMIT + 1);
        await expectProblem(response, 413, 'payload_too_large');
        expect(await healthy()).toBe(200);
        expect(await serviceIds()).toEqual(servicesBefore);
        expect(await sessionsStarted(issuer)).toBe(sessionsBefore);
      },
    );

    it('parses a body of exactly 1 MiB: the limit itself is allowed (400 invalid_request for its content, not 413)', async () => {
      const response = await fetch(`${issuer}/auth/initiate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': nextIp() },
        body: jsonOf(BODY_LIMIT),
      });
      await expectProblem(response, 400, 'invalid_request');
    });

    it('refuses a declared Content-Length over the limit before reading the body (413 problem+json)', async () => {
      const answer = await rawHttp(
        issuer,
        'POST /auth/initiate HTTP/1.1\r\nHost: idp\r\nContent-Type: application/json\r\n' +
          `Content-Length: ${10 * BODY_LIMIT}\r\nConnection: close\r\n\r\n{"serviceId":"shop"`,
      );
      expect(answer.status).toBe(413);
      expect(answer.headerLines).toContainEqual(expect.stringMatching(/^content-type: application\/problem\+json/i));
      expect(JSON.parse(answer.body)).toMatchObject({ status: 413, code: 'payload_too_large' });
      expect(await healthy()).toBe(200);
    });
  });

  describe('header injection', () => {
    it('refuses a header value holding a bare CR or LF, or a malformed header name (400), and splits nothing', async () => {
      const attempts = [
        'X-Request-Id: abc\rSet-Cookie: injected=1',
        'X-Request-Id: abc\nSet-Cookie: injected=1',
        'Bad Header: 1',
      ];
      for (const header of attempts) {
        const answer = await rawHttp(
          issuer,
          `GET /health/live HTTP/1.1\r\nHost: idp\r\n${header}\r\nConnection: close\r\n\r\n`,
        );
        expect({ header, status: answer.status }).toEqual({ header, status: 400 });
        expect(answer.headerLines.filter((line) => /^(set-cookie|x-request-id):/i.test(line))).toEqual([]);
      }
      expect(await healthy()).toBe(200);
    });

    it('refuses an oversized header (431) and stays healthy', async () => {
      const answer = await rawHttp(
        issuer,
        `GET /health/live HTTP/1.1\r\nHost: idp\r\nX-Filler: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
      );
      expect(answer.status).toBe(431);
      expect(await healthy()).toBe(200);
    });

    it('echoes a plain X-Request-Id and replaces any other with a fresh UUID', async () => {
      const echoed = async (value: string) =>
        (await fetch(`${issuer}/health/live`, { headers: { 'x-request-id': value } })).headers.get('x-request-id');
      expect(await echoed('req-42.a:b_c')).toBe('req-42.a:b_c');
      for (const hostile of ['a%0d%0aSet-Cookie:%20x=1', '<script>alert(1)</script>', 'x'.repeat(65), 'a b']) {
        const answer = await echoed(hostile);
        expect(answer).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
    });

    it('carries a CR/LF state back to the client percent-encoded in Location, never as a header of its own', async () => {
      const state = 'x\r\nSet-Cookie: injected=1\r\nX-Injected: 1';
      const response = await fetch(authorizationUrl(issuer, 'shop', SHOP_CALLBACK, { state, prompt: 'none' }), {
        redirect: 'manual',
      });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(SHOP_CALLBACK);
      expect(location.searchParams.get('state')).toBe(state);
      expect(response.headers.get('location')).not.toMatch(/[\r\n]/);
      expect(response.headers.get('x-injected')).toBeNull();
      expect(response.headers.getSetCookie().filter((line) => line.startsWith('injected'))).toEqual([]);
    });

    it('refuses a CR/LF redirect_uri with an error page, redirecting nowhere', async () => {
      const response = await fetch(
        authorizationUrl(issuer, 'shop', `${SHOP_CALLBACK}\r\nSet-Cookie: injected=1`, { prompt: 'none' }),
        { redirect: 'manual' },
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.getSetCookie().filter((line) => line.startsWith('injected'))).toEqual([]);
      expect(await response.text()).toContain('redirect_uri');
    });

    it('refuses a service whose origin holds CR/LF (400 invalid_request) and stores nothing', async () => {
      const response = await as(BOOTSTRAP_ADMIN_KEY, '/admin/services', 'POST', {
        serviceId: 'crlf-shop',
        name: 'CRLF',
        url: 'https://crlf.example\r\nSet-Cookie: injected=1',
        allowedScopes: ['identity:name'],
        defaultScopes: ['identity:name'],
      });
      await expectProblem(response, 400, 'invalid_request');
      await expectProblem(await as(BOOTSTRAP_ADMIN_KEY, '/admin/services/crlf-shop'), 404, 'not_found');
    });
  });

  describe('CORS', () => {
    const restRoutes: [string, string][] = [
      ['POST', '/auth/initiate'],
      ['POST', '/auth/verify'],
      ['POST', '/enroll'],
      ['POST', '/revoke'],
      ['POST', '/admin/services'],
      ['GET', '/admin/api-keys'],
    ];

    it('grants no preflight to any origin on the REST API, a registered service’s included (404, no CORS headers)', async () => {
      for (const origin of [EVIL, SHOP]) {
        for (const [method, path] of restRoutes) {
          const response = await fetch(`${issuer}${path}`, {
            method: 'OPTIONS',
            headers: {
              origin,
              'access-control-request-method': method,
              'access-control-request-headers': 'authorization, content-type',
            },
          });
          expect({ origin, path, acao: response.headers.get('access-control-allow-origin') }).toEqual({
            origin,
            path,
            acao: null,
          });
          expect(response.headers.get('access-control-allow-credentials')).toBeNull();
          expect(response.headers.get('access-control-allow-methods')).toBeNull();
          await expectProblem(response, 404, 'not_found');
        }
      }
    });

    it('lets no cross-origin page read a REST answer: no Access-Control-Allow-Origin on actual requests', async () => {
      for (const origin of [EVIL, SHOP, 'null']) {
        const started = await fetch(`${issuer}/auth/initiate`, {
          method: 'POST',
          headers: {
            origin,
            'content-type': 'application/json',
            'x-forwarded-for': nextIp(),
            authorization: basic('shop', shop.serviceSecret),
          },
          body: JSON.stringify({ serviceId: 'shop' }),
        });
        expect(started.status).toBe(200);
        expect(started.headers.get('access-control-allow-origin')).toBeNull();
        const listed = await fetch(`${issuer}/admin/api-keys`, {
          headers: { origin, authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` },
        });
        expect(listed.status).toBe(200);
        expect(listed.headers.get('access-control-allow-origin')).toBeNull();
      }
    });

    it('lets a client’s redirect-URI origin call the OIDC token endpoint cross-origin, and refuses another origin', async () => {
      const tokenRequest = (origin: string) =>
        fetch(`${issuer}/oidc/token`, {
          method: 'POST',
          headers: {
            origin,
            'content-type': 'application/x-www-form-urlencoded',
            authorization: basic('shop', shop.serviceSecret),
          },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: 'not-a-code',
            redirect_uri: SHOP_CALLBACK,
            code_verifier: 'v'.repeat(43),
          }).toString(),
        });
      const allowed = await tokenRequest(SHOP);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
      expect(((await allowed.json()) as { error: string }).error).toBe('invalid_grant');
      const refused = await tokenRequest(EVIL);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(await refused.json()).toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringContaining('not allowed'),
      });
    });
  });

  describe('CORS for a browser-only relying party (publicInitiate, spec §6.1)', () => {
    const KIOSK = 'https://kiosk.example';

    beforeAll(async () => {
      await registerService(issuer, {
        serviceId: 'kiosk',
        url: KIOSK,
        allowedScopes: ['identity:age_over_18'],
        publicInitiate: true,
        requireTrust: false,
      });
    });

    const preflight = (path: string, origin: string, method: string) =>
      fetch(`${issuer}${path}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
      });

    it('grants its own origin a preflight for initiate and the poll — no credentials — and nobody else', async () => {
      for (const [path, method] of [
        ['/auth/initiate', 'POST'],
        ['/auth/sessions/sess_AAAAAAAAAAAAAAAAAAAAAA', 'GET'],
      ] as const) {
        const granted = await preflight(path, KIOSK, method);
        expect(granted.status).toBe(204);
        expect(granted.headers.get('access-control-allow-origin')).toBe(KIOSK);
        expect(granted.headers.get('access-control-allow-methods')).toContain(method);
        expect(granted.headers.get('access-control-allow-credentials')).toBeNull();
        expect(granted.headers.get('vary')).toMatch(/origin/i);
        for (const origin of [EVIL, SHOP, 'null']) {
          const refused = await preflight(path, origin, method);
          expect(refused.headers.get('access-control-allow-origin')).toBeNull();
          await expectProblem(refused, 404, 'not_found');
        }
      }
      // Only the session API: its origin gets no preflight anywhere else.
      for (const path of ['/auth/verify', '/enroll', '/admin/services']) {
        const elsewhere = await preflight(path, KIOSK, 'POST');
        expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
        await expectProblem(elsewhere, 404, 'not_found');
      }
    });

    it('lets its page read an initiate, the poll and a refusal; another origin reads none of them', async () => {
      const initiateFrom = (origin: string, body: object) =>
        fetch(`${issuer}/auth/initiate`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json', 'x-forwarded-for': nextIp() },
          body: JSON.stringify(body),
        });
      const started = await initiateFrom(KIOSK, { serviceId: 'kiosk', scopes: ['identity:age_over_18'] });
      expect(started.status).toBe(200);
      expect(started.headers.get('access-control-allow-origin')).toBe(KIOSK);
      const { sessionId, wsToken } = (await started.json()) as { sessionId: string; wsToken: string };
      const polled = await fetch(`${issuer}/auth/sessions/${sessionId}`, {
        headers: { origin: KIOSK, authorization: `Bearer ${wsToken}` },
      });
      expect(polled.status).toBe(200);
      expect(polled.headers.get('access-control-allow-origin')).toBe(KIOSK);
      expect(await polled.json()).toEqual({ status: 'pending' });

      const refused = await initiateFrom(KIOSK, { serviceId: 'kiosk', scopes: ['identity:name'] });
      expect(refused.headers.get('access-control-allow-origin')).toBe(KIOSK);
      await expectProblem(refused, 422, 'invalid_scope');

      const foreign = await initiateFrom(EVIL, { serviceId: 'kiosk', scopes: ['identity:age_over_18'] });
      expect(foreign.status).toBe(200);
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('the /session socket (spec §6.4)', () => {
    const startedSession = async () => {
      const response = await initiate({ tokenId: phone.device.tokenId, serviceId: 'shop' });
      expect(response.status).toBe(200);
      return (await response.json()) as { sessionId: string; wsToken: string; autoPassword: string };
    };

    it('refuses a foreign Origin at the engine handshake, on polling (403) and on WebSocket', async () => {
      const polling = await fetch(`${issuer}/socket.io/?EIO=4&transport=polling`, { headers: { origin: EVIL } });
      expect(polling.status).toBe(403);
      expect(await polling.json()).toEqual({ code: 4, message: 'origin_not_allowed' });
      const session = await startedSession();
      const outcome = await watchSession(issuer, session, EVIL);
      expect(outcome).toEqual({ connected: false, refusal: expect.any(String), events: [] });
    });

    it('gives nothing to a socket naming a session that does not exist, or with another session’s wsToken', async () => {
      const session = await startedSession();
      const second = await startedSession();
      for (const auth of [
        { sessionId: 'sess_AAAAAAAAAAAAAAAAAAAAAA', wsToken: session.wsToken },
        { sessionId: session.sessionId, wsToken: second.wsToken },
        { sessionId: session.sessionId, wsToken: '' },
      ]) {
        expect(await watchSession(issuer, auth, SHOP)).toEqual({
          connected: false,
          refusal: 'session_not_found',
          events: [],
        });
      }
    });

    it('gives nothing to another service’s origin watching this session; the service’s own origin gets otp_ready', async () => {
      const session = await startedSession();
      expect(await watchSession(issuer, session, OTHER)).toEqual({
        connected: false,
        refusal: 'origin_not_allowed',
        events: [],
      });
      expect(await watchSession(issuer, session, SHOP)).toEqual({ connected: true, events: ['otp_ready'] });
    });
  });

  describe('CSRF on the sign-in forms', () => {
    const openOidc = async () => {
      const browser = new CookieBrowser();
      const page = await browser.visit(authorizationUrl(issuer, 'shop', SHOP_CALLBACK));
      expect(page.status).toBe(200);
      const form = formOf(page.body, '/login');
      return { browser, page, ...form, action: new URL(form.action, issuer).href };
    };
    const openSaml = async () => {
      const browser = new CookieBrowser();
      const page = await browser.visit(await samlSp.getAuthorizeUrlAsync('', undefined, {}));
      expect(page.status).toBe(200);
      const form = formOf(page.body, '/login');
      return { browser, page, ...form, action: new URL(form.action, issuer).href };
    };

    it('OIDC: sets the interaction cookie HttpOnly and SameSite=Lax, and refuses a form without it (404)', async () => {
      const { browser, csrf, action } = await openOidc();
      const interactionCookie = browser.setCookieLines.find((line) => line.startsWith('_interaction='));
      expect(interactionCookie).toMatch(/;\s*httponly/i);
      expect(interactionCookie).toMatch(/;\s*samesite=lax/i);
      const before = await sessionsStarted(issuer);
      // What a cross-site form post carries: its own Origin, and no Lax cookie.
      const forged = await postForm(action, { csrf, tokenId: phone.device.tokenId! }, { origin: EVIL });
      await expectProblem(forged, 404, 'session_not_found');
      expect(await sessionsStarted(issuer)).toBe(before);
    });

    /**
     * A sign-in form posted with its own cookie from a foreign Origin: refused (400) with a missing, wrong or other
     * sign-in's token, and nothing starts; accepted with its own token, which shows the token made the difference.
     */
    const expectFormBoundToItsToken = async (
      open: () => Promise<{ browser: CookieBrowser; csrf: string; action: string }>,
    ) => {
      const victim = await open();
      const elsewhere = await open();
      const before = await sessionsStarted(issuer);
      for (const csrf of [undefined, 'x'.repeat(victim.csrf.length), elsewhere.csrf]) {
        const fields: Record<string, string> = { tokenId: phone.device.tokenId!, ...(csrf ? { csrf } : {}) };
        const headers = { cookie: victim.browser.cookieHeader(), origin: EVIL };
        await expectProblem(await postForm(victim.action, fields, headers), 400, 'invalid_request');
      }
      expect(await sessionsStarted(issuer)).toBe(before);
      const accepted = await postForm(
        victim.action,
        { csrf: victim.csrf, tokenId: phone.device.tokenId! },
        { cookie: victim.browser.cookieHeader() },
      );
      expect(accepted.status).toBe(303);
      expect(accepted.headers.get('location')).toMatch(/\/wait$/);
      expect(await sessionsStarted(issuer)).toBe(before + 1);
    };

    it('OIDC: refuses a foreign-Origin form with the cookie but a missing, wrong or other sign-in’s token (400)', () =>
      expectFormBoundToItsToken(openOidc));

    it(
      'SAML: sets its browser cookie HttpOnly and SameSite=Lax, and refuses a form without it (404)',
      async () => {
        const { browser, csrf, action } = await openSaml();
        const samlCookie = browser.setCookieLines.find((line) => line.startsWith('idtoken_saml='));
        expect(samlCookie).toMatch(/;\s*HttpOnly/);
        expect(samlCookie).toMatch(/;\s*SameSite=Lax/);
        const before = await sessionsStarted(issuer);
        const forged = await postForm(action, { csrf, tokenId: phone.device.tokenId! }, { origin: EVIL });
        await expectProblem(forged, 404, 'session_not_found');
        // Another browser's cookie does not open this login either.
        const stranger = await openSaml();
        const crossed = await postForm(
          action,
          { csrf, tokenId: phone.device.tokenId! },
          { cookie: stranger.browser.cookieHeader(), origin: EVIL },
        );
        await expectProblem(crossed, 404, 'session_not_found');
        expect(await sessionsStarted(issuer)).toBe(before);
      },
      SAML_TIMEOUT,
    );

    it(
      'SAML: refuses a foreign-Origin form with the cookie but a missing, wrong or other login’s token (400)',
      () => expectFormBoundToItsToken(openSaml),
      SAML_TIMEOUT,
    );

    it(
      'anti-framing: every HTML page forbids framing (CSP frame-ancestors and X-Frame-Options) and sniffing',
      async () => {
        const pages: [string, Headers][] = [];
        const oidcPage = await new CookieBrowser().visit(authorizationUrl(issuer, 'shop', SHOP_CALLBACK));
        expect(oidcPage.body).toContain('name="csrf"');
        pages.push(['OIDC sign-in', oidcPage.headers]);
        const oidcError = await fetch(authorizationUrl(issuer, 'no-such-client', SHOP_CALLBACK), {
          redirect: 'manual',
        });
        expect(oidcError.status).toBe(400);
        pages.push(['OIDC error', oidcError.headers]);
        const samlPage = await new CookieBrowser().visit(await samlSp.getAuthorizeUrlAsync('', undefined, {}));
        expect(samlPage.body).toContain('name="csrf"');
        pages.push(['SAML sign-in', samlPage.headers]);
        const register = await fetch(`${issuer}/services/shop/register`);
        expect(register.status).toBe(200);
        pages.push(['service registration', register.headers]);
        for (const [name, headers] of pages) {
          expect(headers.get('content-type')).toMatch(/^text\/html/);
          expect({ name, ...framingHeaders(headers) }).toEqual({
            name,
            csp: expect.stringMatching(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/),
            xFrameOptions: 'DENY',
            nosniff: 'nosniff',
          });
        }
      },
      SAML_TIMEOUT,
    );

    it('anti-sniffing: REST answers, successes and problems alike, carry X-Content-Type-Options: nosniff', async () => {
      const answers: [string, Response][] = [
        ['health', await fetch(`${issuer}/health/live`)],
        ['jwks', await fetch(`${issuer}/.well-known/jwks.json`)],
        ['service vds', await fetch(`${issuer}/services/shop/vds`)],
        ['admin list', await as(BOOTSTRAP_ADMIN_KEY, '/admin/services')],
        ['401 problem', await fetch(`${issuer}/admin/services`)],
        ['404 problem', await fetch(`${issuer}/no/such/route`)],
        ['400 problem', await initiate({ serviceId: 'shop', serviceVds: shop.serviceVds })],
      ];
      for (const [name, response] of answers) {
        expect({ name, nosniff: response.headers.get('x-content-type-options') }).toEqual({
          name,
          nosniff: 'nosniff',
        });
      }
    });
  });

  describe('initiate rate limit under parallel load (spec §6.1: 10/min/IP)', () => {
    const burst = async (count: number, ip: string, baseUrls: string[]) =>
      Promise.all(
        Array.from({ length: count }, (_, i) => initiate({ serviceId: 'shop' }, { ip, baseUrl: baseUrls[i % 2] })),
      );
    const expectExactlyTheLimit = async (responses: Response[]) => {
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(INITIATE_LIMIT);
      expect(statuses.filter((status) => status === 429)).toHaveLength(responses.length - INITIATE_LIMIT);
      for (const response of responses.filter((candidate) => candidate.status === 429)) {
        const retryAfter = Number(response.headers.get('retry-after'));
        await expectProblem(response, 429, 'rate_limited');
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
      }
    };

    it('lets exactly 10 of 30 parallel initiates from one IP through; the rest get 429 rate_limited + Retry-After', async () => {
      const before = await sessionsStarted(issuer);
      const ip = nextIp();
      await expectExactlyTheLimit(await burst(30, ip, [issuer]));
      expect(await sessionsStarted(issuer)).toBe(before + INITIATE_LIMIT);
      // The budget is the IP's: that IP stays refused, another one is served.
      await expectProblem(await initiate({ serviceId: 'shop' }, { ip }), 429, 'rate_limited');
      expect((await initiate({ serviceId: 'shop' })).status).toBe(200);
    });

    const twoNodes = servicesUnderTest.redisUrl && servicesUnderTest.databaseUrl ? it : it.skip;
    twoNodes('counts one budget across two nodes sharing Redis: still exactly 10 of 30', async () => {
      let nodeB: NestFastifyApplication | undefined;
      try {
        nodeB = await createIdpApp(server.env.config, pino({ level: 'silent' }));
        await nodeB.listen({ port: 0, host: '127.0.0.1' });
        const address = nodeB.getHttpServer().address();
        if (!address || typeof address === 'string') throw new Error('node B has no TCP address');
        const baseUrlB = `http://127.0.0.1:${address.port}`;
        const responses = await burst(30, nextIp(), [issuer, baseUrlB]);
        await expectExactlyTheLimit(responses);
      } finally {
        await nodeB?.close();
      }
    });
  });

  describe('admin privilege escalation (spec §9)', () => {
    it('refuses an operator creating an API key of any role, admin above all (403 forbidden); no key appears', async () => {
      const idsAndRoles = async () => (await adminKeys()).map(({ id, role }) => `${id} ${role}`);
      const before = await idsAndRoles();
      for (const role of ['admin', 'operator']) {
        const response = await as(operatorKey.apiKey, '/admin/api-keys', 'POST', { name: `escalate ${role}`, role });
        await expectProblem(response, 403, 'forbidden');
      }
      await expectProblem(
        await as(stationKey, '/admin/api-keys', 'POST', { name: 'escalate', role: 'admin' }),
        403,
        'forbidden',
      );
      expect(await idsAndRoles()).toEqual(before);
    });

    it('refuses an operator reading or revoking keys, and offers no way to change a key’s role', async () => {
      await expectProblem(await as(operatorKey.apiKey, '/admin/api-keys'), 403, 'forbidden');
      const target = (await adminKeys()).find((key) => key.id === operatorKey.id)!;
      await expectProblem(await as(operatorKey.apiKey, `/admin/api-keys/${target.id}`, 'DELETE'), 403, 'forbidden');
      for (const method of ['PATCH', 'PUT']) {
        const response = await as(operatorKey.apiKey, `/admin/api-keys/${operatorKey.id}`, method, { role: 'admin' });
        await expectProblem(response, 404, 'not_found');
      }
      const after = (await adminKeys()).find((key) => key.id === operatorKey.id);
      expect(after).toMatchObject({ role: 'operator', revokedAt: null });
      // Still an operator: admin-only routes stay closed.
      await expectProblem(await as(operatorKey.apiKey, '/admin/stations', 'POST', { name: 'x' }), 403, 'forbidden');
    });

    it('refuses a station key revoking or listing enrollments and registering services; nothing changes', async () => {
      const tokenId = phone.device.tokenId!;
      const revoke = await as(stationKey, '/revoke', 'POST', { tokenId, reason: 'compromised' });
      await expectProblem(revoke, 403, 'forbidden');
      expect(await enrollmentStatus(tokenId)).toBe('active');
      await expectProblem(await as(stationKey, '/admin/enrollments'), 403, 'forbidden');
      await expectProblem(await as(stationKey, `/admin/enrollments/${tokenId}`), 403, 'forbidden');
      const created = await as(stationKey, '/admin/services', 'POST', {
        serviceId: 'station-made',
        name: 'x',
        url: 'https://station-made.example',
        allowedScopes: ['identity:name'],
        defaultScopes: ['identity:name'],
      });
      await expectProblem(created, 403, 'forbidden');
      await expectProblem(await as(BOOTSTRAP_ADMIN_KEY, '/admin/services/station-made'), 404, 'not_found');
      // An operator may not register or rotate a service's secret either.
      await expectProblem(await as(operatorKey.apiKey, '/admin/services/shop/secret', 'POST'), 403, 'forbidden');
      expect((await initiate({ serviceId: 'shop' })).status).toBe(200);
    });

    it('refuses a revoked API key on its very next request (401 unauthorized)', async () => {
      const created = await as(BOOTSTRAP_ADMIN_KEY, '/admin/api-keys', 'POST', { name: 'leaving', role: 'operator' });
      const { id, apiKey } = (await created.json()) as { id: string; apiKey: string };
      expect((await as(apiKey, '/admin/services')).status).toBe(200);
      expect((await as(BOOTSTRAP_ADMIN_KEY, `/admin/api-keys/${id}`, 'DELETE')).status).toBe(200);
      await expectProblem(await as(apiKey, '/admin/services'), 401, 'unauthorized');
      await expectProblem(
        await as(apiKey, '/revoke', 'POST', { tokenId: phone.device.tokenId, reason: 'compromised' }),
        401,
        'unauthorized',
      );
      expect(await enrollmentStatus(phone.device.tokenId!)).toBe('active');
    });

    it('refuses an address past 20 failed admin authentications a minute, a right key included; audits each failure', async () => {
      const guesser = nextIp();
      const from = (ip: string, key: string) =>
        fetch(`${issuer}/admin/services`, { headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': ip } });
      for (let guess = 0; guess < 20; guess += 1) {
        await expectProblem(await from(guesser, `idt_guess_${guess}_${'x'.repeat(24)}`), 401, 'unauthorized');
      }
      // Past the limit the key is not even looked at: a right one would otherwise stand out among the refusals.
      const refused = await from(guesser, BOOTSTRAP_ADMIN_KEY);
      await expectProblem(refused, 429, 'rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      // Another address is not affected.
      expect((await from(nextIp(), BOOTSTRAP_ADMIN_KEY)).status).toBe(200);

      const audit = await as(BOOTSTRAP_ADMIN_KEY, '/admin/audit-events?type=admin.auth_failed&limit=100');
      const { events } = (await audit.json()) as { events: { ip: string; actor: string; data: object }[] };
      const mine = events.filter((event) => event.ip === guesser);
      expect(mine).toHaveLength(20);
      expect(mine[0]).toMatchObject({ actor: 'anonymous', data: { reason: 'unknown_or_revoked' } });
      expect(JSON.stringify(mine)).not.toContain('idt_guess_');
    });

    it('answers a missing, empty, malformed or oversized Authorization with 401 unauthorized, never a 500', async () => {
      const values: (string | undefined)[] = [
        undefined,
        '',
        'Bearer',
        'Bearer ',
        `Basic ${Buffer.from(`admin:${BOOTSTRAP_ADMIN_KEY}`).toString('base64')}`,
        `bearer${BOOTSTRAP_ADMIN_KEY}`,
        `Bearer ${BOOTSTRAP_ADMIN_KEY} ${BOOTSTRAP_ADMIN_KEY}`,
        'Bearer short',
        `Bearer ${'a'.repeat(513)}`,
        `Bearer ${'a'.repeat(8_000)}`,
        `Bearer ${'\u00e9'.repeat(40)}`,
        `Bearer ${BOOTSTRAP_ADMIN_KEY.toUpperCase()}`,
        `Bearer ${BOOTSTRAP_ADMIN_KEY}=`,
      ];
      for (const value of values) {
        const response = await fetch(`${issuer}/admin/services`, {
          headers: value === undefined ? {} : { authorization: value },
        });
        expect({ value: value?.slice(0, 40), status: response.status }).toEqual({
          value: value?.slice(0, 40),
          status: 401,
        });
        await expectProblem(response, 401, 'unauthorized');
      }
    });

    it('answers malformed service credentials on initiate with 401 service_unauthenticated, never a 500', async () => {
      const values = [
        'Basic',
        'Basic !!!',
        `Basic ${Buffer.from('shop').toString('base64')}`,
        `Basic ${Buffer.from('shop:').toString('base64')}`,
        `Basic ${Buffer.from(':secret').toString('base64')}`,
        `Basic ${Buffer.from(`shop:${'s'.repeat(10_000)}`).toString('base64')}`,
        `Basic ${Buffer.from(`other:${other.serviceSecret}`).toString('base64')}`,
        `Bearer ${shop.serviceSecret}`,
      ];
      const before = await sessionsStarted(issuer);
      for (const authorization of values) {
        await expectProblem(await initiate({ serviceId: 'shop' }, { authorization }), 401, 'service_unauthenticated');
      }
      expect(await sessionsStarted(issuer)).toBe(before);
    });
  });

  describe('what initiate reveals about a tokenId', () => {
    const withoutRequestId = ({ requestId: _requestId, ...rest }: Problem) => rest;

    // Revealed: to an authenticated service (spec §6.1), whether a tokenId is enrolled (404 enrollment_not_found),
    // revoked (403 enrollment_revoked) or not trusting it (403 service_not_trusted) — the spec fixes these codes so
    // the relying party can tell its user why; tokenIds are random UUIDs, so this confirms a known one, it finds none,
    // and the per-IP and per-tokenId limits bound it. Nothing else about the holder is in the problem document.
    it('tells an authenticated service unknown, revoked, untrusting and enrolled apart (spec §6.1), and no more', async () => {
      const unknown = await expectProblem(
        await initiate({ tokenId: randomUUID(), serviceId: 'shop' }),
        404,
        'enrollment_not_found',
      );
      const revoked = await expectProblem(
        await initiate({ tokenId: revokedTokenId, serviceId: 'shop' }),
        403,
        'enrollment_revoked',
      );
      const untrusting = await expectProblem(
        await initiate(
          { tokenId: phone.device.tokenId, serviceId: 'other' },
          { authorization: basic('other', other.serviceSecret) },
        ),
        403,
        'service_not_trusted',
      );
      for (const problem of [unknown, revoked, untrusting])
        expect(Object.keys(problem).sort()).toEqual(PROBLEM_MEMBERS);
      const enrolled = await initiate({ tokenId: phone.device.tokenId, serviceId: 'shop' });
      expect(enrolled.status).toBe(200);
    });

    // Revealed: nothing. Service authentication is checked before the enrollment (docs/decisions.md "Initiate
    // order"), so a caller without the service's secret gets one identical 401 whatever the tokenId.
    it('tells a caller without the service’s credential nothing: one identical 401 for every tokenId', async () => {
      const tokenIds = [randomUUID(), revokedTokenId, phone.device.tokenId!];
      const before = await sessionsStarted(issuer);
      const answers: Omit<Problem, 'requestId'>[] = [];
      for (const authorization of [null, basic('shop', 'wrong-secret')]) {
        for (const tokenId of tokenIds) {
          const response = await initiate({ tokenId, serviceId: 'shop' }, { authorization });
          answers.push(withoutRequestId(await expectProblem(response, 401, 'service_unauthenticated')));
        }
      }
      // Per credential, the three tokenIds get byte-identical documents.
      expect(answers.slice(1, 3)).toEqual([answers[0], answers[0]]);
      expect(answers.slice(4, 6)).toEqual([answers[3], answers[3]]);
      expect(await sessionsStarted(issuer)).toBe(before);
    });

    // Revealed: the OIDC sign-in page (anyone with a browser) says the same for an unknown and a revoked tokenId.
    it('shows one identical sign-in page for an unknown and a revoked tokenId (OIDC interaction)', async () => {
      const browser = new CookieBrowser();
      const page = await browser.visit(authorizationUrl(issuer, 'shop', SHOP_CALLBACK));
      const { csrf, action } = formOf(page.body, '/login');
      const pages: { status: number; body: string }[] = [];
      for (const tokenId of [randomUUID(), revokedTokenId]) {
        const response = await postForm(
          new URL(action, issuer).href,
          { csrf, tokenId },
          { cookie: browser.cookieHeader() },
        );
        pages.push({ status: response.status, body: (await response.text()).replace(tokenId, '<tokenId>') });
      }
      expect(pages[0]!.status).toBe(400);
      expect(pages[0]!.body).toContain('This identifier cannot sign in.');
      expect(pages[1]).toEqual(pages[0]);
    });
  });
});
