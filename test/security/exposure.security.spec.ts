import { createHash, createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DeviceLogin, type Device } from '../../apps/device/src/index.js';
import { EphemeralStore, InProcessBackend, InProcessStore } from '#idtoken/platform';
import { BOOTSTRAP_ADMIN_KEY, enrolledPhone, registerService, setUpStation } from '../support/credentials.js';
import { startTestAppAtIssuer, type RunningApp } from '../support/test-app.js';
import { servicesUnderTest } from '../support/test-env.js';
import {
  PROBLEM_MEMBERS,
  CookieBrowser,
  authorizationUrl,
  expectProblem,
  formOf,
  postForm,
  sessionsStarted,
  type Problem,
} from './support/web-attacks.js';

const SHOP = 'https://shop.example';
const SHOP_CALLBACK = `${SHOP}/cb`;
const KIOSK = 'https://kiosk.example';
/** libs/push/src/inbox/inbox-push.sender.ts: INBOX_MAX_ITEMS and INBOX_TTL_MS, as spec §6.3 and the threat model say. */
const INBOX_MAX_ITEMS = 50;
const INBOX_TTL_MS = 90_000;
/** libs/sessions/src/session-record.ts SESSION_TTL_SECONDS: the inbox must outlive the session it announces. */
const SESSION_TTL_MS = 60_000;
/** Per-IP initiates a minute (spec §6.1), left at its default: the sign-in page's rate-limited answer is compared. */
const INITIATE_LIMIT = 10;

/** spec §6.3: the push message exactly as the device inbox serves it, every value a string. */
interface PushMessage {
  type: string;
  sessionId: string;
  otp: string;
  serviceId: string;
  serviceName: string;
  serviceUrl: string;
  serviceVerified: string;
  scopes: string;
  expiresAt: string;
}

/**
 * What the server exposes, and what it keeps, where the threat model (docs/threat-model.md) had no test: the
 * `serviceVerified` flag a phone is given (spec §6.3), the device inbox's bounds, the stored form of API keys, and
 * what anonymous callers learn from the OIDC sign-in page, a `publicInitiate` service's initiate and the device
 * endpoints. Real server, real HTTP, real database; nothing mocked.
 */
describe('exposure: what the server reveals and keeps (issue 11)', () => {
  let server: RunningApp;
  let issuer: string;
  let shop: { serviceSecret: string; serviceVds: string };
  let kiosk: { serviceVds: string };
  let station: Awaited<ReturnType<typeof setUpStation>>;
  /** Enrolled, trusting shop and kiosk. */
  let phone: Device;
  /** Enrolled, trusting nothing. */
  let untrusting: Device;
  let revokedTokenId: string;

  /** Without Redis, the server's ephemeral store runs on this clock (the inbox expiry case moves it). */
  let skewMs = 0;
  const backend = new InProcessBackend(() => Date.now() + skewMs);
  const onRedis = servicesUnderTest.redisUrl ? it : it.skip;
  const inProcess = servicesUnderTest.redisUrl ? it.skip : it;

  let lastIp = 0;
  /** A client IP of its own per use (TRUST_PROXY=true): each request meets the per-IP limit afresh. */
  const nextIp = () => {
    lastIp += 1;
    return `198.18.${Math.floor(lastIp / 250)}.${(lastIp % 250) + 1}`;
  };
  const basic = (serviceId: string, secret: string) =>
    `Basic ${Buffer.from(`${serviceId}:${secret}`).toString('base64')}`;
  const initiate = (body: Record<string, unknown>, authorization?: string, ip = nextIp()) =>
    fetch(`${issuer}/auth/initiate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': ip,
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify(body),
    });
  const started = async (response: Response): Promise<{ sessionId: string; autoPassword: string; wsToken: string }> => {
    expect(response.status).toBe(200);
    return (await response.json()) as { sessionId: string; autoPassword: string; wsToken: string };
  };
  const as = (key: string, path: string, method = 'GET', body?: unknown) =>
    fetch(`${issuer}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** `GET /devices/inbox`, device-signed (spec §6.3), read raw: the messages as the server sends them. */
  const inboxOf = async (device: Device): Promise<PushMessage[]> => {
    const query = new URLSearchParams(
      Object.entries(device.signedEnvelope('inbox', {})).map(([name, value]): [string, string] => [
        name,
        String(value),
      ]),
    );
    const response = await fetch(`${issuer}/devices/inbox?${query.toString()}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { requests: PushMessage[] }).requests;
  };
  const pushFor = async (device: Device, sessionId: string): Promise<PushMessage> => {
    const found = (await inboxOf(device)).find((message) => message.sessionId === sessionId);
    if (!found) throw new Error(`no push for ${sessionId} in the inbox`);
    return found;
  };

  beforeAll(async () => {
    server = await startTestAppAtIssuer(
      {
        IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
        TRUST_PROXY: 'true',
        ENROLL_RATE_LIMIT_PER_HOUR: '1000',
        // Many sessions for one holder here (the inbox cap, the lockout); the per-IP limit keeps its default.
        INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
      },
      { ephemeralStore: servicesUnderTest.redisUrl ? undefined : new InProcessStore(backend) },
    );
    issuer = server.baseUrl;
    shop = await registerService(issuer, {
      serviceId: 'shop',
      name: 'Shop',
      url: SHOP,
      allowedScopes: ['identity:basic'],
      defaultScopes: ['identity:name'],
      oidc: { redirectUris: [SHOP_CALLBACK] },
    });
    // A browser-only relying party: no secret, initiates without credentials (spec §6.1); requireTrust by default.
    kiosk = await registerService(issuer, {
      serviceId: 'kiosk',
      name: 'Kiosk',
      url: KIOSK,
      allowedScopes: ['identity:age_over_18'],
      publicInitiate: true,
    });
    station = await setUpStation(issuer);
    phone = (await enrolledPhone(issuer, station, shop.serviceVds)).device;
    await phone.trustService(kiosk.serviceVds);
    untrusting = (await enrolledPhone(issuer, station)).device;
    const revoked = (await enrolledPhone(issuer, station, shop.serviceVds)).device;
    revokedTokenId = revoked.tokenId!;
    const revocation = await as(BOOTSTRAP_ADMIN_KEY, '/revoke', 'POST', {
      tokenId: revokedTokenId,
      reason: 'lost_device',
    });
    expect(revocation.status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    backend.dispose();
  });

  describe('serviceVerified on the push (spec §6.3)', () => {
    // The phone shows serviceName and serviceUrl from the registry either way; serviceVerified says whether the
    // server vouches for who asked. A publicInitiate service named by a bare serviceId proves nothing: anyone can
    // send that initiate, so the phone is told "false".
    it('pushes serviceVerified "false" for a publicInitiate service named by a bare serviceId without credentials', async () => {
      const session = await started(await initiate({ tokenId: phone.tokenId, serviceId: 'kiosk' }));
      expect(await pushFor(phone, session.sessionId)).toMatchObject({
        type: 'auth_request',
        otp: session.autoPassword,
        serviceId: 'kiosk',
        serviceName: 'Kiosk',
        serviceUrl: KIOSK,
        serviceVerified: 'false',
      });
    });

    it('pushes serviceVerified "true" for the same service named by its Service VDS, and for an authenticated service', async () => {
      const byVds = await started(await initiate({ tokenId: phone.tokenId, serviceVds: kiosk.serviceVds }));
      expect(await pushFor(phone, byVds.sessionId)).toMatchObject({
        serviceId: 'kiosk',
        serviceName: 'Kiosk',
        serviceUrl: KIOSK,
        serviceVerified: 'true',
      });
      const authenticated = await started(
        await initiate({ tokenId: phone.tokenId, serviceId: 'shop' }, basic('shop', shop.serviceSecret)),
      );
      expect(await pushFor(phone, authenticated.sessionId)).toMatchObject({
        serviceId: 'shop',
        serviceName: 'Shop',
        serviceUrl: SHOP,
        serviceVerified: 'true',
      });
    });
  });

  describe('device inbox bounds (spec §6.3)', () => {
    it('keeps at most 50 requests per tokenId: the 51st drops the oldest, in the store as in GET /devices/inbox', async () => {
      const holder = (await enrolledPhone(issuer, station, shop.serviceVds)).device;
      const sessions: { sessionId: string; wsToken: string }[] = [];
      for (let i = 0; i < INBOX_MAX_ITEMS + 1; i += 1) {
        sessions.push(
          await started(
            await initiate({ tokenId: holder.tokenId, serviceId: 'shop' }, basic('shop', shop.serviceSecret)),
          ),
        );
      }
      const sessionIds = sessions.map((session) => session.sessionId);
      // What the device reads: the 50 newest, oldest first; the first session is still pending, only unlisted.
      const listed = await inboxOf(holder);
      expect(listed.map((message) => message.sessionId)).toEqual(sessionIds.slice(1));
      const first = await fetch(`${issuer}/auth/sessions/${sessions[0]!.sessionId}`, {
        headers: { authorization: `Bearer ${sessions[0]!.wsToken}` },
      });
      expect(await first.json()).toEqual({ status: 'pending' });
      // What the store keeps (Redis when REDIS_URL is set): the same 50 entries, no more.
      const store = server.app.get(EphemeralStore);
      const kept = (await store.readList(`device-inbox:${holder.tokenId}`)).map(
        (item) => (JSON.parse(item) as PushMessage).sessionId,
      );
      expect(kept).toEqual(sessionIds.slice(1));
    });
  });

  describe('the api_keys table, as a thief would read it', () => {
    const pepper = () =>
      // HKDF-SHA256(MASTER, salt empty, info "IDToken/v1/api-key-pepper", 32 bytes), re-derived here from the
      // server's MASTER without the server's code (libs/platform/src/crypto/derive-key.ts, api-key.service.ts).
      Buffer.from(hkdfSync('sha256', server.env.config.masterSecret, Buffer.alloc(0), 'IDToken/v1/api-key-pepper', 32));

    it('stores HMAC-SHA256 of a key under the MASTER-derived pepper: neither the key nor its plain SHA-256', async () => {
      const created = await as(BOOTSTRAP_ADMIN_KEY, '/admin/api-keys', 'POST', {
        name: 'stolen row',
        role: 'operator',
      });
      expect(created.status).toBe(201);
      const { id, apiKey } = (await created.json()) as { id: string; apiKey: string };
      expect(apiKey).toMatch(/^idt_[A-Za-z0-9_-]{43}$/);

      const dataSource = server.app.get(DataSource);
      const rows = (await dataSource.query(
        'SELECT key_hash, row_to_json(api_keys)::text AS whole FROM api_keys WHERE id = $1',
        [id],
      )) as { key_hash: string; whole: string }[];
      expect(rows).toHaveLength(1);
      const { key_hash: stored, whole } = rows[0]!;
      const sha256 = createHash('sha256').update(apiKey, 'utf8').digest();
      expect(stored).toBe(createHmac('sha256', pepper()).update(apiKey, 'utf8').digest('hex'));
      expect(stored).not.toBe(sha256.toString('hex'));
      // Under another MASTER the same key hashes differently: the pepper, not the key alone, decides the row.
      const otherPepper = Buffer.from(
        hkdfSync('sha256', Buffer.alloc(64, 7), Buffer.alloc(0), 'IDToken/v1/api-key-pepper', 32),
      );
      expect(stored).not.toBe(createHmac('sha256', otherPepper).update(apiKey, 'utf8').digest('hex'));
      // Nothing in the whole row gives the key or an unkeyed hash of it, in any common encoding.
      for (const leak of [
        apiKey,
        apiKey.slice('idt_'.length),
        sha256.toString('hex'),
        sha256.toString('base64'),
        sha256.toString('base64url'),
      ])
        expect(whole).not.toContain(leak);

      // The stolen value is not a key: presented as one, it is refused; the key itself works.
      expect((await as(stored, '/admin/api-keys')).status).toBe(401);
      expect((await as(`idt_${Buffer.from(stored, 'hex').toString('base64url')}`, '/admin/api-keys')).status).toBe(401);
      expect((await as(apiKey, '/admin/services')).status).toBe(200);
    });

    it('keeps the bootstrap admin key out of the table: no row holds it or its HMAC', async () => {
      const dataSource = server.app.get(DataSource);
      const rows = (await dataSource.query('SELECT row_to_json(api_keys)::text AS whole FROM api_keys')) as {
        whole: string;
      }[];
      expect(rows.length).toBeGreaterThan(0);
      const hmac = createHmac('sha256', pepper()).update(BOOTSTRAP_ADMIN_KEY, 'utf8').digest('hex');
      const sha256 = createHash('sha256').update(BOOTSTRAP_ADMIN_KEY, 'utf8').digest('hex');
      for (const { whole } of rows) {
        expect(whole).not.toContain(BOOTSTRAP_ADMIN_KEY);
        expect(whole).not.toContain(hmac);
        expect(whole).not.toContain(sha256);
      }
      // It still authenticates: it is compared in memory (api-key.service.ts), never looked up in the table.
      expect((await as(BOOTSTRAP_ADMIN_KEY, '/admin/api-keys')).status).toBe(200);
    });
  });

  describe('what anonymous callers learn about a tokenId (accepted, docs/threat-model.md §6)', () => {
    const withoutRequestId = ({ requestId: _requestId, ...rest }: Problem) => rest;

    // Revealed (accepted): through a publicInitiate service, no credential is needed at all, so anyone tells an
    // unknown, a revoked, an untrusting and an enrolled tokenId apart, as an authenticated service can (spec §6.1).
    // The problem documents carry nothing else about the holder; the enrolled one gets a push.
    it('tells an anonymous caller, through a publicInitiate service, unknown, revoked, untrusting and enrolled apart', async () => {
      const before = await sessionsStarted(issuer);
      const unknown = await expectProblem(
        await initiate({ tokenId: randomUUID(), serviceId: 'kiosk' }),
        404,
        'enrollment_not_found',
      );
      const revoked = await expectProblem(
        await initiate({ tokenId: revokedTokenId, serviceId: 'kiosk' }),
        403,
        'enrollment_revoked',
      );
      const notTrusting = await expectProblem(
        await initiate({ tokenId: untrusting.tokenId, serviceId: 'kiosk' }),
        403,
        'service_not_trusted',
      );
      for (const problem of [unknown, revoked, notTrusting])
        expect(Object.keys(problem).sort()).toEqual(PROBLEM_MEMBERS);
      expect(await sessionsStarted(issuer)).toBe(before);
      await started(await initiate({ tokenId: phone.tokenId, serviceId: 'kiosk' }));
      expect(await sessionsStarted(issuer)).toBe(before + 1);
      // The same tokenIds named to a service that must authenticate: one identical 401, whatever the holder.
      const closed: Omit<Problem, 'requestId'>[] = [];
      for (const tokenId of [randomUUID(), revokedTokenId, untrusting.tokenId, phone.tokenId])
        closed.push(
          withoutRequestId(
            await expectProblem(await initiate({ tokenId, serviceId: 'shop' }), 401, 'service_unauthenticated'),
          ),
        );
      expect(closed.slice(1)).toEqual([closed[0], closed[0], closed[0]]);
    });

    // Revealed (accepted, Finding F8): device-signed routes read the enrollment before the signature (spec §5.1
    // order: timestamp, enrollment, signature), so an unsigned request tells unknown (404), revoked (403) and
    // enrolled (401 invalid_signature) apart. Nothing changes for the holder.
    it('answers an unsigned device request 404 for an unknown, 403 for a revoked and 401 for an enrolled tokenId', async () => {
      const unsigned = (tokenId: string) => ({
        tokenId,
        timestamp: Math.floor(Date.now() / 1000),
        signatureBase64: Buffer.from('not a signature').toString('base64'),
      });
      const pushToken = (tokenId: string) =>
        fetch(`${issuer}/devices/push-token`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...unsigned(tokenId), fcmToken: 'attacker-token' }),
        });
      const inbox = (tokenId: string) =>
        fetch(
          `${issuer}/devices/inbox?${new URLSearchParams(
            Object.entries(unsigned(tokenId)).map(([name, value]): [string, string] => [name, String(value)]),
          ).toString()}`,
        );
      for (const send of [pushToken, inbox]) {
        await expectProblem(await send(randomUUID()), 404, 'enrollment_not_found');
        await expectProblem(await send(revokedTokenId), 403, 'enrollment_revoked');
        await expectProblem(await send(phone.tokenId!), 401, 'invalid_signature');
      }
      // The enrolled holder's device still reads its inbox with its own signature.
      expect(Array.isArray(await inboxOf(phone))).toBe(true);
    });

    // Revealed (accepted): the OIDC sign-in page of any client answers a typed tokenId in one of four ways —
    // unknown and revoked alike; enrolled but not trusting the client; locked out (the same words as a browser over
    // its per-IP limit); enrolled and trusting (a session starts: 303 to the wait page).
    it('shows the OIDC sign-in page’s four answers: cannot sign in, add this service, too many attempts, and 303 to wait', async () => {
      // Lock one holder out the way spec §6.2 does it: 30 failed checks in 24 h (3 wrong codes in each of 10 sessions).
      const locked = (await enrolledPhone(issuer, station, shop.serviceVds)).device;
      const login = new DeviceLogin(locked, issuer);
      for (let i = 0; i < 10; i += 1) {
        const session = await started(
          await initiate({ tokenId: locked.tokenId, serviceId: 'shop' }, basic('shop', shop.serviceSecret)),
        );
        const [request] = (await login.inbox()).filter((pending) => pending.sessionId === session.sessionId);
        const wrong = String((Number(session.autoPassword) + 1) % 1_000_000).padStart(6, '0');
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const refused = await fetch(`${issuer}/auth/verify`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(login.verifyBody({ sessionId: session.sessionId, otp: wrong }, request!.scopes)),
          });
          expect(refused.status).toBe(attempt < 2 ? 401 : 429);
        }
      }
      const lockout = await as(BOOTSTRAP_ADMIN_KEY, `/admin/enrollments/${locked.tokenId}/lockout`);
      expect(await lockout.json()).toMatchObject({ locked: true });

      const browser = new CookieBrowser();
      const signIn = await browser.visit(authorizationUrl(issuer, 'shop', SHOP_CALLBACK));
      expect(signIn.status).toBe(200);
      const { csrf, action } = formOf(signIn.body, '/login');
      const submit = async (tokenId: string, ip = nextIp()) => {
        const response = await postForm(
          new URL(action, issuer).href,
          { csrf, tokenId },
          { cookie: browser.cookieHeader(), 'x-forwarded-for': ip },
        );
        return { status: response.status, body: (await response.text()).replace(tokenId, '<tokenId>') };
      };
      const before = await sessionsStarted(issuer);
      const unknown = await submit(randomUUID());
      const revoked = await submit(revokedTokenId);
      const notTrusting = await submit(untrusting.tokenId!);
      const lockedOut = await submit(locked.tokenId!);
      // A browser that spent its IP's initiates reads the very page a locked-out holder's tokenId gets.
      const busyIp = nextIp();
      for (let i = 0; i < INITIATE_LIMIT; i += 1)
        await initiate({ tokenId: randomUUID(), serviceId: 'kiosk' }, undefined, busyIp);
      const rateLimited = await submit(randomUUID(), busyIp);
      expect(await sessionsStarted(issuer)).toBe(before);

      expect(unknown.status).toBe(400);
      expect(unknown.body).toContain('This identifier cannot sign in.');
      expect(revoked).toEqual(unknown);
      expect(notTrusting.status).toBe(400);
      expect(notTrusting.body).toContain('Add this service in your IDToken app first (scan its QR code).');
      expect(lockedOut.status).toBe(400);
      expect(lockedOut.body).toContain('Too many attempts. Try again later.');
      expect(rateLimited).toEqual(lockedOut);
      // Three distinct pages, each saying its one sentence and none of the others'.
      const sentences = [
        'This identifier cannot sign in.',
        'Add this service in your IDToken app first (scan its QR code).',
        'Too many attempts. Try again later.',
      ];
      [unknown, notTrusting, lockedOut].forEach((page, index) =>
        expect(sentences.filter((sentence) => page.body.includes(sentence))).toEqual([sentences[index]]),
      );

      // Enrolled and trusting: a session starts and the browser goes to the wait page (a push to the phone).
      const enrolled = await postForm(
        new URL(action, issuer).href,
        { csrf, tokenId: phone.tokenId! },
        { cookie: browser.cookieHeader(), 'x-forwarded-for': nextIp() },
      );
      expect(enrolled.status).toBe(303);
      expect(enrolled.headers.get('location')).toMatch(/\/wait$/);
      expect(await sessionsStarted(issuer)).toBe(before + 1);
    });
  });

  describe('device inbox expiry (spec §6.3: 90 s)', () => {
    const holderWithOneRequest = async () => {
      const holder = (await enrolledPhone(issuer, station, shop.serviceVds)).device;
      const start = async () =>
        (
          await started(
            await initiate({ tokenId: holder.tokenId, serviceId: 'shop' }, basic('shop', shop.serviceSecret)),
          )
        ).sessionId;
      return { holder, start, key: `device-inbox:${holder.tokenId}` };
    };

    // Redis cannot be given another clock: the TTL it holds is read instead (PTTL through the store).
    onRedis('sets a 90 s TTL on the inbox in Redis, longer than the 60 s session it announces (PTTL)', async () => {
      const { start, key } = await holderWithOneRequest();
      const store = server.app.get(EphemeralStore);
      expect(await store.remainingTtl(key)).toBeUndefined();
      await start();
      const ttl = await store.remainingTtl(key);
      // Set to 90 000 ms at the append, read back a little later.
      expect(ttl).toBeDefined();
      expect(ttl!).toBeLessThanOrEqual(INBOX_TTL_MS);
      expect(ttl!).toBeGreaterThan(SESSION_TTL_MS);
    });

    // The in-process store runs on a clock this test moves (last in the file: the server's sessions and rate
    // windows expire with it).
    inProcess(
      'drops a device’s inbox 90 s after its last request, not before (in-process store, clock moved)',
      async () => {
        const { start, key } = await holderWithOneRequest();
        const store = server.app.get(EphemeralStore);
        const kept = async () => (await store.readList(key)).map((item) => (JSON.parse(item) as PushMessage).sessionId);
        try {
          const first = await start();
          skewMs = 89_000;
          expect(await kept()).toEqual([first]);
          // A new request 89 s later sets the TTL afresh for the whole list, the older entry included.
          const second = await start();
          skewMs = 89_000 + 89_000;
          expect(await kept()).toEqual([first, second]);
          skewMs = 89_000 + 91_000;
          expect(await kept()).toEqual([]);
        } finally {
          skewMs = 0;
        }
      },
    );
  });
});
