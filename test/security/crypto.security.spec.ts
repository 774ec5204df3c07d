import { randomUUID, timingSafeEqual } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, exportJWK, exportSPKI, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import type { JWK, JWTHeaderParameters } from 'jose';
import { DataSource } from 'typeorm';
import type { TestCsca } from '#idtoken/issuance';
import { otpMatches } from '#idtoken/sessions';
import { decodeVds, encodeVdsBinary, toVdsText } from '#idtoken/vds';
import type { Station } from '../../apps/device/src/index.js';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, registerService, setUpStation } from '../support/credentials.js';
import { startTestAppAtIssuer, type RunningApp } from '../support/test-app.js';
import {
  P256_ORDER,
  P256Signer,
  attackerServer,
  canonicalDigest,
  compactJws,
  derOf,
  derOfContents,
  hostilePublicKeys,
  integerContent,
  withPayload,
} from './support/crypto-attacks.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const REDIRECT = 'https://rp.example/callback';
const RP_KID = 'rp-key-1';
/** Built once: an RSA key takes a moment to generate. */
const HOSTILE_KEYS = hostilePublicKeys();

interface Answer {
  status: number;
  contentType: string;
  json: Record<string, unknown>;
  text: string;
  location: string | null;
  wwwAuthenticate: string | null;
}
interface Session {
  sessionId: string;
  autoPassword: string;
  wsToken: string;
  random: string;
}
interface Holder {
  tokenId: string;
  vds: string;
  key: P256Signer;
}
interface SignatureInput {
  message: string;
  key: P256Signer;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** The verify message of spec §6.2: `sessionId|otp|timestamp|sorted scopes joined with ","`. */
const verifyMessage = (sessionId: string, otp: string, timestamp: number, scopes: string[]) =>
  `${sessionId}|${otp}|${timestamp}|${[...scopes].sort().join(',')}`;

/**
 * Adversarial cryptographic input against the real server over real HTTP: each case sends one hostile input and
 * checks the exact refusal (status and spec §8 code), and that nothing changed behind it.
 */
describe('cryptographic attacks on the real server (spec §4, §5.1, §6.2, §7, §8)', () => {
  let server: RunningApp;
  let issuer: string;
  let station: Station;
  let csca: TestCsca;
  let shopSecret: string;
  let rpKey: CryptoKey;
  let rpPublicKey: CryptoKey;
  let rpJwk: JWK;
  let attackerKey: CryptoKey;
  let attackerJwk: JWK;
  let attacker: Awaited<ReturnType<typeof attackerServer>>;

  const call = async (
    method: string,
    path: string,
    options: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(`${issuer}${path}`, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Not JSON (an HTML error page, a redirect): `text` holds it.
    }
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      json,
      text,
      location: response.headers.get('location'),
      wwwAuthenticate: response.headers.get('www-authenticate'),
    };
  };
  const adminHeaders = { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` };

  /** Spec §8: an RFC 9457 problem document with the spec's code. */
  const expectProblem = (answer: Answer, status: number, code: string) => {
    expect({ status: answer.status, code: answer.json.code, type: answer.json.type }).toEqual({
      status,
      code,
      type: `https://idtoken.dev/problems/${code.replaceAll('_', '-')}`,
    });
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
  };

  const enrollBody = (credential: { tokenId: string; vds: string }, key: P256Signer, timestamp = nowSeconds()) => ({
    vdsData: credential.vds,
    publicKeyPem: key.publicKeyPem,
    deviceId: `device-${randomUUID()}`,
    platform: 'simulator',
    timestamp,
    signatureBase64: base64(key.der(`enroll|${credential.tokenId}|${key.keyId}|${timestamp}`)),
  });
  /** A fresh credential enrolled with a P-256 key this test holds (spec §4). */
  const newHolder = async (): Promise<Holder> => {
    const issued = await issueCredential(station, csca);
    const key = new P256Signer();
    const enrolled = await call('POST', '/enroll', { json: enrollBody(issued, key) });
    expect(enrolled.status).toBe(201);
    return { tokenId: issued.tokenId, vds: issued.vds, key };
  };
  const enrollmentOf = (tokenId: string) => call('GET', `/admin/enrollments/${tokenId}`, { headers: adminHeaders });

  const startSession = async (holder: Holder): Promise<Session> => {
    const answer = await call('POST', '/auth/initiate', {
      json: { tokenId: holder.tokenId, serviceId: 'shop' },
      headers: { authorization: `Basic ${Buffer.from(`shop:${shopSecret}`).toString('base64')}` },
    });
    expect(answer.status).toBe(200);
    return answer.json as unknown as Session;
  };
  const sessionStatus = async (session: Session) => {
    const answer = await call('GET', `/auth/sessions/${session.sessionId}`, {
      headers: { authorization: `Bearer ${session.wsToken}` },
    });
    expect(answer.status).toBe(200);
    return answer.json as { status: string; reason?: string; jwt?: string };
  };
  /** The body of POST /auth/verify (spec §6.2), correctly signed unless told otherwise. */
  const verifyBody = (
    holder: Holder,
    session: Session,
    options: { otp?: string; scopes?: string[]; timestamp?: number; signature?: Buffer } = {},
  ) => {
    const otp = options.otp ?? session.autoPassword;
    const scopes = options.scopes ?? ['identity:name'];
    const timestamp = options.timestamp ?? nowSeconds();
    const signature = options.signature ?? holder.key.der(verifyMessage(session.sessionId, otp, timestamp, scopes));
    return {
      sessionId: session.sessionId,
      tokenId: holder.tokenId,
      otp,
      timestamp,
      grantedScopes: scopes,
      signatureBase64: base64(signature),
    };
  };
  const verify = (body: unknown) => call('POST', '/auth/verify', { json: body });

  beforeAll(async () => {
    server = await startTestAppAtIssuer({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      ENROLL_RATE_LIMIT_PER_HOUR: '1000',
      // Every request here comes from 127.0.0.1 and names few tokenIds: the limits have suites of their own.
      INITIATE_RATE_LIMIT_PER_MINUTE: '1000',
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
    });
    issuer = server.baseUrl;
    ({ station, csca } = await setUpStation(issuer));
    ({ serviceSecret: shopSecret } = await registerService(issuer, {
      serviceId: 'shop',
      allowedScopes: ['identity:basic', 'identity:age_over_18'],
      requireTrust: false,
    }));
    const rp = await generateKeyPair('ES256', { extractable: true });
    rpKey = rp.privateKey;
    rpPublicKey = rp.publicKey;
    rpJwk = await exportJWK(rp.publicKey);
    await registerService(issuer, {
      serviceId: 'jwt-rp',
      allowedScopes: ['identity:basic'],
      requireTrust: false,
      publicKeys: [{ ...rpJwk, kid: RP_KID }],
      oidc: { redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'private_key_jwt' },
    });
    const stranger = await generateKeyPair('ES256', { extractable: true });
    attackerKey = stranger.privateKey;
    attackerJwk = await exportJWK(stranger.publicKey);
    attacker = await attackerServer({ keys: [{ ...attackerJwk, kid: 'attacker', alg: 'ES256', use: 'sig' }] });
  });
  afterAll(async () => {
    await attacker?.close();
    await server?.close();
  });

  describe('the device signature of POST /auth/verify (spec §6.2; strict DER, §5.1)', () => {
    let holder: Holder;
    let other: Holder;
    beforeAll(async () => {
      holder = await newHolder();
      other = await newHolder();
    });

    /** A signature over the right message whose first byte of r has its top bit set (for the sign-bit cases). */
    const withTopBitR = ({ message, key }: SignatureInput) => {
      for (;;) {
        const signature = key.integers(message);
        if ((signature.raw[0] ?? 0) & 0x80) return signature;
      }
    };

    // Each case keeps the right message and the right key and changes the encoding or the integers only.
    it.each<[string, (input: SignatureInput) => Buffer]>([
      ['r = 0', ({ message, key }) => derOf(0n, key.integers(message).s)],
      ['s = 0', ({ message, key }) => derOf(key.integers(message).r, 0n)],
      ['r = n', ({ message, key }) => derOf(P256_ORDER, key.integers(message).s)],
      ['s = n', ({ message, key }) => derOf(key.integers(message).r, P256_ORDER)],
      [
        'r + n (≥ n, the same r modulo n: valid for a verifier that reduces)',
        ({ message, key }) => {
          const { r, s } = key.integers(message);
          return derOf(r + P256_ORDER, s);
        },
      ],
      [
        's + n (≥ n, the same s modulo n)',
        ({ message, key }) => {
          const { r, s } = key.integers(message);
          return derOf(r, s + P256_ORDER);
        },
      ],
      ['r = 2²⁵⁶ − 1', ({ message, key }) => derOf((1n << 256n) - 1n, key.integers(message).s)],
      [
        'the raw r ‖ s form (64 bytes, IEEE P1363) where DER is required',
        ({ message, key }) => key.integers(message).raw,
      ],
      [
        'DER with a trailing byte after the SEQUENCE',
        ({ message, key }) => {
          const { r, s } = key.integers(message);
          return derOfContents(integerContent(r), integerContent(s), { trailing: [0x00] });
        },
      ],
      [
        'DER with a BER long-form SEQUENCE length (0x81 …)',
        ({ message, key }) => {
          const { r, s } = key.integers(message);
          return derOfContents(integerContent(r), integerContent(s), { longFormLength: true });
        },
      ],
      [
        'DER whose SEQUENCE length claims one byte more than sent',
        ({ message, key }) => {
          const der = key.der(message);
          der[1] = (der[1] ?? 0) + 1;
          return der;
        },
      ],
      [
        'DER whose r INTEGER length is one byte too long',
        ({ message, key }) => {
          const der = key.der(message);
          der[3] = (der[3] ?? 0) + 1;
          return der;
        },
      ],
      [
        'a negative r (the genuine r bytes without the 0x00 sign pad)',
        (input) => {
          const { r, s } = withTopBitR(input);
          return derOfContents([...Buffer.from(r.toString(16).padStart(64, '0'), 'hex')], integerContent(s));
        },
      ],
      [
        'a non-minimal r (a needless 0x00 in front)',
        ({ message, key }) => {
          const { r, s } = key.integers(message);
          return derOfContents([0x00, ...integerContent(r)], integerContent(s));
        },
      ],
      [
        'r and s swapped',
        ({ message, key }) => {
          const { r, s } = key.integers(message);
          return derOf(s, r);
        },
      ],
    ])('refuses %s: 401 invalid_signature, the session still pending', async (_, forge) => {
      const session = await startSession(holder);
      const timestamp = nowSeconds();
      const scopes = ['identity:name'];
      const signature = forge({
        message: verifyMessage(session.sessionId, session.autoPassword, timestamp, scopes),
        key: holder.key,
      });
      expectProblem(
        await verify(verifyBody(holder, session, { timestamp, scopes, signature })),
        401,
        'invalid_signature',
      );
      expect((await sessionStatus(session)).status).toBe('pending');
    });

    it('refuses a valid signature by another enrolled key', async () => {
      const session = await startSession(holder);
      const timestamp = nowSeconds();
      const signature = other.key.der(
        verifyMessage(session.sessionId, session.autoPassword, timestamp, ['identity:name']),
      );
      expectProblem(await verify(verifyBody(holder, session, { timestamp, signature })), 401, 'invalid_signature');
      expect((await sessionStatus(session)).status).toBe('pending');
    });

    it('refuses scopes added after signing (a relay inflating the grant): 401 invalid_signature', async () => {
      const session = await startSession(holder);
      const signed = verifyBody(holder, session, { scopes: ['identity:name'] });
      // identity:trust_level is within the session's scopes: only the signature stands in the way.
      const inflated = { ...signed, grantedScopes: ['identity:name', 'identity:trust_level'] };
      expectProblem(await verify(inflated), 401, 'invalid_signature');
      expect((await sessionStatus(session)).status).toBe('pending');
    });

    it('refuses a timestamp changed after signing', async () => {
      const session = await startSession(holder);
      const signed = verifyBody(holder, session, { timestamp: nowSeconds() - 5 });
      expectProblem(await verify({ ...signed, timestamp: signed.timestamp + 1 }), 401, 'invalid_signature');
      expect((await sessionStatus(session)).status).toBe('pending');
    });

    it('refuses a valid approval replayed: on its own session (404) and on a second session (401)', async () => {
      const first = await startSession(holder);
      const approval = verifyBody(holder, first);
      expect((await verify(approval)).json).toEqual({ status: 'approved', expiresAt: expect.any(String) });
      expectProblem(await verify(approval), 404, 'session_not_found');

      const second = await startSession(holder);
      // The first session's signature, with the second session's id and (right) code.
      const replayed = { ...approval, sessionId: second.sessionId, otp: second.autoPassword };
      expectProblem(await verify(replayed), 401, 'invalid_signature');
      expect((await sessionStatus(second)).status).toBe('pending');
    });

    it('accepts a high-S signature (no low-S rule for device signatures), and its low-S twin cannot approve again', async () => {
      // Policy (libs/enrollment/src/device-signature/der-signature.ts, spec §5.1): strict DER and 0 < r, s < n;
      // secure elements may emit either s, so both verify — and malleability must buy no second approval.
      const session = await startSession(holder);
      const timestamp = nowSeconds();
      const { r, s } = holder.key.integers(
        verifyMessage(session.sessionId, session.autoPassword, timestamp, ['identity:name']),
      );
      const highS = s > P256_ORDER / 2n ? s : P256_ORDER - s;
      const approved = await verify(verifyBody(holder, session, { timestamp, signature: derOf(r, highS) }));
      expect(approved.status).toBe(200);
      const twin = verifyBody(holder, session, { timestamp, signature: derOf(r, P256_ORDER - highS) });
      expectProblem(await verify(twin), 404, 'session_not_found');
      expect((await sessionStatus(session)).status).toBe('approved');
    });
  });

  describe('other device-signed requests (spec §5.1)', () => {
    let holder: Holder;
    let other: Holder;
    beforeAll(async () => {
      holder = await newHolder();
      other = await newHolder();
    });
    const pushTokenOf = async (tokenId: string): Promise<string | null> => {
      const [row] = (await server.app
        .get(DataSource)
        .query(`SELECT push_token FROM enrollments WHERE token_id = $1 AND status = 'active'`, [tokenId])) as {
        push_token: string | null;
      }[];
      return row?.push_token ?? null;
    };
    const pushTokenMessage = (tokenId: string, timestamp: number, fcmToken: string, action = 'push-token') =>
      `${action}|${tokenId}|${timestamp}|${canonicalDigest({ fcmToken })}`;
    const putPushToken = (tokenId: string, timestamp: number, fcmToken: string, signature: Buffer) =>
      call('PUT', '/devices/push-token', {
        json: { tokenId, timestamp, fcmToken, signatureBase64: base64(signature) },
      });

    it.each<[string, (key: P256Signer, tokenId: string, timestamp: number) => Buffer]>([
      ['r = 0', (key, tokenId, ts) => derOf(0n, key.integers(pushTokenMessage(tokenId, ts, 'fcm-evil')).s)],
      ['s = n', (key, tokenId, ts) => derOf(key.integers(pushTokenMessage(tokenId, ts, 'fcm-evil')).r, P256_ORDER)],
      [
        's + n',
        (key, tokenId, ts) => {
          const { r, s } = key.integers(pushTokenMessage(tokenId, ts, 'fcm-evil'));
          return derOf(r, s + P256_ORDER);
        },
      ],
      ['the raw r ‖ s form', (key, tokenId, ts) => key.integers(pushTokenMessage(tokenId, ts, 'fcm-evil')).raw],
      [
        'a signature made for another action (trust)',
        (key, tokenId, ts) => key.der(pushTokenMessage(tokenId, ts, 'fcm-evil', 'trust')),
      ],
      ['a signature over another fcmToken', (key, tokenId, ts) => key.der(pushTokenMessage(tokenId, ts, 'fcm-good'))],
    ])('PUT /devices/push-token refuses %s: 401 invalid_signature, the push token unchanged', async (_, forge) => {
      const before = await pushTokenOf(holder.tokenId);
      const timestamp = nowSeconds();
      const answer = await putPushToken(
        holder.tokenId,
        timestamp,
        'fcm-evil',
        forge(holder.key, holder.tokenId, timestamp),
      );
      expectProblem(answer, 401, 'invalid_signature');
      expect(await pushTokenOf(holder.tokenId)).toBe(before);
    });

    it('accepts a high-S push-token request once; its low-S twin is a replay (409 replayed_request)', async () => {
      const timestamp = nowSeconds();
      const fcmToken = `fcm-${randomUUID()}`;
      const { r, s } = holder.key.integers(pushTokenMessage(holder.tokenId, timestamp, fcmToken));
      const highS = s > P256_ORDER / 2n ? s : P256_ORDER - s;
      expect((await putPushToken(holder.tokenId, timestamp, fcmToken, derOf(r, highS))).status).toBe(200);
      expect(await pushTokenOf(holder.tokenId)).toBe(fcmToken);
      const twin = await putPushToken(holder.tokenId, timestamp, fcmToken, derOf(r, P256_ORDER - highS));
      expectProblem(twin, 409, 'replayed_request');
    });

    it('POST /auth/deny refuses a signature by another enrolled key; the session stays pending', async () => {
      const session = await startSession(holder);
      const timestamp = nowSeconds();
      const message = `deny|${holder.tokenId}|${timestamp}|${canonicalDigest({ sessionId: session.sessionId })}`;
      const answer = await call('POST', '/auth/deny', {
        json: {
          sessionId: session.sessionId,
          tokenId: holder.tokenId,
          timestamp,
          signatureBase64: base64(other.key.der(message)),
        },
      });
      expectProblem(answer, 401, 'invalid_signature');
      expect((await sessionStatus(session)).status).toBe('pending');
    });

    it('GET /devices/services refuses the raw r ‖ s form in the query string', async () => {
      const timestamp = nowSeconds();
      const { raw } = holder.key.integers(`list-services|${holder.tokenId}|${timestamp}|${canonicalDigest({})}`);
      const query = new URLSearchParams({
        tokenId: holder.tokenId,
        timestamp: String(timestamp),
        signatureBase64: base64(raw),
      });
      expectProblem(await call('GET', `/devices/services?${query.toString()}`), 401, 'invalid_signature');
    });
  });

  describe('keys and signatures at POST /enroll (spec §2, §4)', () => {
    let credential: { tokenId: string; vds: string };
    beforeAll(async () => {
      credential = await issueCredential(station, csca);
    });

    it.each(HOSTILE_KEYS)(
      'refuses %s as publicKeyPem: 400 invalid_request, nothing enrolled, the server still up',
      async (_, publicKeyPem) => {
        const body = { ...enrollBody(credential, new P256Signer()), publicKeyPem };
        expectProblem(await call('POST', '/enroll', { json: body }), 400, 'invalid_request');
        expectProblem(await enrollmentOf(credential.tokenId), 404, 'enrollment_not_found');
        expect((await call('GET', '/health/live')).status).toBe(200);
      },
    );

    it('refuses a proof of possession whose s is n: 401 invalid_signature, nothing enrolled', async () => {
      const key = new P256Signer();
      const timestamp = nowSeconds();
      const { r } = key.integers(`enroll|${credential.tokenId}|${key.keyId}|${timestamp}`);
      const body = { ...enrollBody(credential, key, timestamp), signatureBase64: base64(derOf(r, P256_ORDER)) };
      expectProblem(await call('POST', '/enroll', { json: body }), 401, 'invalid_signature');
      expectProblem(await enrollmentOf(credential.tokenId), 404, 'enrollment_not_found');
    });

    it.each<[string, (signature: Uint8Array) => Uint8Array]>([
      [
        'the high-S twin (r, n − s) of its genuine signature (VDS signatures are low-S only)',
        (signature) => {
          const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`);
          const twin = Buffer.from(signature);
          Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex').copy(twin, 32);
          return twin;
        },
      ],
      ['r = 0', (signature) => Buffer.concat([Buffer.alloc(32), signature.subarray(32)])],
      [
        's = n',
        (signature) =>
          Buffer.concat([signature.subarray(0, 32), Buffer.from(P256_ORDER.toString(16).padStart(64, '0'), 'hex')]),
      ],
    ])('refuses an identity VDS whose signature is %s: 422 vds_bad_signature', async (_, forge) => {
      const decoded = decodeVds(credential.vds);
      const forged = toVdsText(encodeVdsBinary({ ...decoded, signature: forge(decoded.signature) }));
      expect(forged).not.toBe(credential.vds);
      const body = { ...enrollBody(credential, new P256Signer()), vdsData: forged };
      expectProblem(await call('POST', '/enroll', { json: body }), 422, 'vds_bad_signature');
      expectProblem(await enrollmentOf(credential.tokenId), 404, 'enrollment_not_found');
    });

    it('enrolls the same credential with a genuine P-256 key afterwards (the refusals were the key’s, not the VDS’s)', async () => {
      expect((await call('POST', '/enroll', { json: enrollBody(credential, new P256Signer()) })).status).toBe(201);
      expect((await enrollmentOf(credential.tokenId)).json.status).toBe('active');
    });
  });

  describe('JWTs the server accepts: RFC 7523 client assertions', () => {
    let holder: Holder;
    beforeAll(async () => {
      holder = await newHolder();
    });

    const claims = (overrides: Record<string, unknown> = {}) => {
      const now = nowSeconds();
      return { iss: 'jwt-rp', sub: 'jwt-rp', aud: issuer, iat: now, exp: now + 60, jti: randomUUID(), ...overrides };
    };
    const signed = (key: CryptoKey | Uint8Array, header: JWTHeaderParameters, payload = claims()) =>
      new SignJWT(payload).setProtectedHeader(header).sign(key);
    const genuine = () => signed(rpKey, { alg: 'ES256', kid: RP_KID });

    /** Each builds one hostile assertion; all claims are right unless the name says otherwise. */
    const attacks: [string, () => Promise<string>][] = [
      ['alg "none" without a signature', async () => compactJws({ alg: 'none', typ: 'JWT' }, claims())],
      [
        'alg "none" with a genuine signature kept',
        async () => {
          const [, payload, signature] = (await genuine()).split('.');
          const header = Buffer.from(JSON.stringify({ alg: 'none', kid: RP_KID })).toString('base64url');
          return `${header}.${payload ?? ''}.${signature ?? ''}`;
        },
      ],
      [
        'HS256 keyed with the registered public JWK (algorithm confusion)',
        () => signed(new TextEncoder().encode(JSON.stringify(rpJwk)), { alg: 'HS256', kid: RP_KID }),
      ],
      [
        'HS256 keyed with the registered public key as SPKI PEM',
        async () => signed(new TextEncoder().encode(await exportSPKI(rpPublicKey)), { alg: 'HS256', kid: RP_KID }),
      ],
      [
        'a path-traversal kid, signed by an unregistered key',
        () => signed(attackerKey, { alg: 'ES256', kid: '../../../../../dev/null' }),
      ],
      [
        'a SQL-looking kid, signed by an unregistered key',
        () => signed(attackerKey, { alg: 'ES256', kid: "' OR '1'='1' --" }),
      ],
      ['an unknown kid, signed by an unregistered key', () => signed(attackerKey, { alg: 'ES256', kid: randomUUID() })],
      [
        'the genuine key under a traversal kid that names no registered key',
        () => signed(rpKey, { alg: 'ES256', kid: `../${RP_KID}` }),
      ],
      [
        'an embedded jwk header carrying the signer’s own key',
        () => signed(attackerKey, { alg: 'ES256', jwk: attackerJwk }),
      ],
      [
        'a jku header pointing at the attacker’s JWKS',
        () => signed(attackerKey, { alg: 'ES256', kid: 'attacker', jku: `${attacker.url}/jwks.json` }),
      ],
      [
        'an x5u header pointing at the attacker',
        () => signed(attackerKey, { alg: 'ES256', x5u: `${attacker.url}/cert.pem` }),
      ],
      [
        'an expired assertion (exp two minutes ago)',
        () =>
          signed(rpKey, { alg: 'ES256', kid: RP_KID }, claims({ iat: nowSeconds() - 180, exp: nowSeconds() - 120 })),
      ],
      [
        'an assertion for another audience',
        () => signed(rpKey, { alg: 'ES256', kid: RP_KID }, claims({ aud: 'https://elsewhere.example' })),
      ],
    ];

    const initiateWith = async (assertion: string) =>
      call('POST', '/auth/initiate', {
        json: {
          tokenId: holder.tokenId,
          serviceId: 'jwt-rp',
          client_assertion_type: JWT_BEARER,
          client_assertion: assertion,
        },
      });
    const tokenWith = async (assertion: string) =>
      call('POST', '/oidc/token', {
        form: {
          grant_type: 'authorization_code',
          code: 'not-a-code',
          redirect_uri: REDIRECT,
          client_id: 'jwt-rp',
          client_assertion_type: JWT_BEARER,
          client_assertion: assertion,
        },
      });

    it('accepts a genuine assertion at both endpoints (the control for the cases below)', async () => {
      const started = await initiateWith(await genuine());
      expect(started.status).toBe(200);
      expect(started.json.sessionId).toMatch(/^sess_/);
      // Authenticated at the token endpoint: only the bogus code is refused.
      const token = await tokenWith(await genuine());
      expect({ status: token.status, error: token.json.error }).toEqual({ status: 400, error: 'invalid_grant' });
    });

    it.each(attacks)('POST /auth/initiate refuses %s: 401 service_unauthenticated', async (_, build) => {
      const answer = await initiateWith(await build());
      expectProblem(answer, 401, 'service_unauthenticated');
      expect(answer.json.sessionId).toBeUndefined();
    });

    it.each(attacks)('POST /oidc/token (private_key_jwt) refuses %s: 401 invalid_client', async (_, build) => {
      const answer = await tokenWith(await build());
      expect({ status: answer.status, error: answer.json.error }).toEqual({ status: 401, error: 'invalid_client' });
      expect(answer.json.access_token).toBeUndefined();
    });

    it('never fetched the URLs that jku and x5u named', () => {
      expect(attacker.hits).toEqual([]);
    });
  });

  describe('other JWTs the server reads (OIDC request objects, id_token_hint, bearer tokens)', () => {
    const serverKid = async () => {
      const { keys } = (await call('GET', '/.well-known/jwks.json')).json as { keys: { kid: string; alg?: string }[] };
      const signing = keys.find((key) => key.alg === 'ES256');
      expect(signing).toBeDefined();
      return signing?.kid ?? '';
    };

    const authorize = async (request: string) => {
      const query = new URLSearchParams({
        client_id: 'jwt-rp',
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
        request,
      });
      const answer = await call('GET', `/oidc/auth?${query.toString()}`);
      expect(answer.status).toBe(303);
      return new URL(answer.location ?? 'about:blank', issuer);
    };

    it('takes a request object signed with the client’s registered key to sign-in (the control)', async () => {
      const genuine = await new SignJWT({
        client_id: 'jwt-rp',
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
      })
        .setProtectedHeader({ alg: 'ES256', kid: RP_KID })
        .setIssuer('jwt-rp')
        .setAudience(issuer)
        .setExpirationTime('2m')
        .sign(rpKey);
      const location = await authorize(genuine);
      expect(location.pathname).toMatch(/^\/interaction\//);
    });

    it.each<[string, string, () => Promise<string>]>([
      [
        'unsigned (alg "none")',
        'unsupported signed request alg',
        async () =>
          compactJws(
            { alg: 'none' },
            {
              iss: 'jwt-rp',
              aud: issuer,
              client_id: 'jwt-rp',
              response_type: 'code',
              redirect_uri: REDIRECT,
              scope: 'openid',
            },
          ),
      ],
      [
        'signed by a key embedded in its own jwk header',
        'could not validate Request Object',
        () =>
          new SignJWT({ client_id: 'jwt-rp', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid' })
            .setProtectedHeader({ alg: 'ES256', jwk: attackerJwk })
            .setIssuer('jwt-rp')
            .setAudience(issuer)
            .setExpirationTime('2m')
            .sign(attackerKey),
      ],
      [
        'HS256-signed with the client’s public JWK as the secret',
        'could not validate Request Object',
        () =>
          new SignJWT({ client_id: 'jwt-rp', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid' })
            .setProtectedHeader({ alg: 'HS256', kid: RP_KID })
            .setIssuer('jwt-rp')
            .setAudience(issuer)
            .setExpirationTime('2m')
            .sign(new TextEncoder().encode(JSON.stringify(rpJwk))),
      ],
    ])(
      'refuses a request object (JAR) that is %s: back to the client with invalid_request_object (%s)',
      async (_, reason, build) => {
        const location = await authorize(await build());
        expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
        expect(location.searchParams.get('error')).toBe('invalid_request_object');
        expect(location.searchParams.get('error_description')).toBe(reason);
        expect(location.searchParams.get('code')).toBeNull();
      },
    );

    it.each<[string, () => Promise<string>]>([
      ['alg "none"', async () => compactJws({ alg: 'none' }, { iss: issuer, sub: randomUUID(), aud: 'jwt-rp' })],
      [
        'a forged signature under the server’s own kid',
        async () =>
          new SignJWT({ sub: randomUUID() })
            .setProtectedHeader({ alg: 'ES256', kid: await serverKid() })
            .setIssuer(issuer)
            .setAudience('jwt-rp')
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(attackerKey),
      ],
    ])('refuses an id_token_hint with %s at end_session: 400 invalid_request', async (_, build) => {
      const query = new URLSearchParams({ id_token_hint: await build(), client_id: 'jwt-rp' });
      const answer = await call('GET', `/oidc/session/end?${query.toString()}`);
      expect({ status: answer.status, ...answer.json }).toEqual({
        status: 400,
        error: 'invalid_request',
        error_description: 'could not validate id_token_hint',
      });
    });

    it('refuses a self-made JWT as a bearer token at userinfo: 401 invalid_token', async () => {
      const forged = await new SignJWT({ sub: randomUUID(), scope: 'openid identity:basic', client_id: 'jwt-rp' })
        .setProtectedHeader({ alg: 'ES256', kid: await serverKid() })
        .setIssuer(issuer)
        .setAudience(issuer)
        .setExpirationTime('5m')
        .sign(attackerKey);
      for (const token of [forged, compactJws({ alg: 'none' }, { sub: randomUUID(), iss: issuer })]) {
        const answer = await call('GET', '/oidc/me', { headers: { authorization: `Bearer ${token}` } });
        expect({ status: answer.status, error: answer.json.error }).toEqual({ status: 401, error: 'invalid_token' });
      }
    });
  });

  describe('tokens the server issues cannot be altered or re-signed (spec §7)', () => {
    let jwt: string;
    const jwks = () => createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
    const check = (token: string) => jwtVerify(token, jwks(), { issuer, audience: 'shop', algorithms: ['ES256'] });

    beforeAll(async () => {
      const holder = await newHolder();
      const session = await startSession(holder);
      expect((await verify(verifyBody(holder, session))).status).toBe(200);
      jwt = (await sessionStatus(session)).jwt ?? '';
    });

    it('issues a token that verifies against the published JWKS (the control)', async () => {
      const { payload, protectedHeader } = await check(jwt);
      expect(protectedHeader.alg).toBe('ES256');
      expect(payload.scope).toBe('identity:name');
    });

    it.each<[string, (payload: Record<string, unknown>) => Record<string, unknown>]>([
      [
        'scope widened to identity:full',
        (payload) => ({ ...payload, scope: 'identity:full', dateOfBirth: '1970-01-01' }),
      ],
      ['exp a day later', (payload) => ({ ...payload, exp: Number(payload.exp) + 86_400 })],
      ['sub swapped for another holder', (payload) => ({ ...payload, sub: randomUUID() })],
    ])('refuses the issued token with %s, signature kept', async (_, change) => {
      await expect(check(withPayload(jwt, change))).rejects.toMatchObject({
        code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      });
    });

    it('refuses the issued claims re-signed with alg "none" or HS256 keyed by the published key', async () => {
      const [header = '', payload = ''] = jwt.split('.');
      const claimsOf = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid: string };
      const { keys } = (await call('GET', '/.well-known/jwks.json')).json as { keys: JWK[] };
      const published = keys.find((key) => key.kid === kid);
      expect(published).toBeDefined();
      const none = compactJws({ alg: 'none', kid, typ: 'JWT' }, { ...claimsOf, scope: 'identity:full' });
      const hmac = await new SignJWT({ ...claimsOf, scope: 'identity:full' })
        .setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' })
        .sign(new TextEncoder().encode(JSON.stringify(published)));
      for (const forged of [none, hmac]) {
        await expect(check(forged)).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
      }
    });

    it('publishes no private key material in its JWKS', async () => {
      const { keys } = (await call('GET', '/.well-known/jwks.json')).json as { keys: Record<string, unknown>[] };
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key[secret]).toBeUndefined();
      }
    });
  });

  describe('the OTP comparison (spec §6.2: constant time, 401 invalid_otp)', () => {
    let holder: Holder;
    beforeAll(async () => {
      holder = await newHolder();
    });
    const digitsIn = (otp: string, zero: number) =>
      [...otp].map((digit) => String.fromCodePoint(zero + Number(digit))).join('');

    // Each is correctly signed over what it sends: only the code's shape is wrong.
    it.each<[string, (otp: string) => string]>([
      ['five digits (the code without its last digit)', (otp) => otp.slice(0, 5)],
      ['seven digits (the code and one more)', (otp) => `${otp}0`],
      ['an empty string', () => ''],
      ['letters', () => 'abcdef'],
      ['the code with a leading space', (otp) => ` ${otp}`],
      ['the code with a trailing newline', (otp) => `${otp}\n`],
      ['the code with a NUL byte appended', (otp) => `${otp}\u0000`],
      ['the code in Arabic-Indic digits', (otp) => digitsIn(otp, 0x0660)],
      ['the code in fullwidth digits', (otp) => digitsIn(otp, 0xff10)],
      ['a signed number (+ and five digits)', (otp) => `+${otp.slice(1)}`],
    ])('refuses an OTP that is %s: 400 invalid_request, the session still pending', async (_, shape) => {
      const session = await startSession(holder);
      const otp = shape(session.autoPassword);
      expectProblem(await verify(verifyBody(holder, session, { otp })), 400, 'invalid_request');
      expect((await sessionStatus(session)).status).toBe('pending');
    });

    it('refuses the code as a JSON number: 400 invalid_request', async () => {
      const session = await startSession(holder);
      const body = { ...verifyBody(holder, session), otp: Number(session.autoPassword) };
      expectProblem(await verify(body), 400, 'invalid_request');
      expect((await sessionStatus(session)).status).toBe('pending');
    });

    it('counts none of the malformed codes: the same session still approves with the right one', async () => {
      const session = await startSession(holder);
      for (const otp of [
        '',
        ' 1',
        `${session.autoPassword}0`,
        digitsIn(session.autoPassword, 0x0660),
        'x'.repeat(64),
      ]) {
        expect((await verify(verifyBody(holder, session, { otp }))).status).toBe(400);
      }
      expect((await verify(verifyBody(holder, session))).json).toEqual({
        status: 'approved',
        expiresAt: expect.any(String),
      });
    });

    it('refuses well-formed wrong codes (first digit, last digit) with 401 invalid_otp; the third ends the session', async () => {
      const session = await startSession(holder);
      const otp = session.autoPassword;
      const bump = (digit: string) => String((Number(digit) + 1) % 10);
      const wrongFirst = `${bump(otp.charAt(0))}${otp.slice(1)}`;
      const wrongLast = `${otp.slice(0, 5)}${bump(otp.charAt(5))}`;
      expectProblem(await verify(verifyBody(holder, session, { otp: wrongFirst })), 401, 'invalid_otp');
      expect((await sessionStatus(session)).status).toBe('pending');
      expectProblem(await verify(verifyBody(holder, session, { otp: wrongLast })), 401, 'invalid_otp');
      expect((await sessionStatus(session)).status).toBe('pending');
      expectProblem(await verify(verifyBody(holder, session, { otp: wrongFirst })), 429, 'too_many_attempts');
      expect(await sessionStatus(session)).toEqual({ status: 'rejected', reason: 'too_many_attempts' });
      // The right code comes too late: the session is gone.
      expectProblem(await verify(verifyBody(holder, session)), 404, 'session_not_found');
    });

    it('otpMatches (the pure comparison) answers by value, and any length, without throwing', () => {
      expect(otpMatches('482917', '482917')).toBe(true);
      expect(otpMatches('482917', '482918')).toBe(false);
      expect(otpMatches('482917', '582917')).toBe(false);
      expect(otpMatches('482917', '48291')).toBe(false);
      expect(otpMatches('482917', '4829170')).toBe(false);
      expect(otpMatches('482917', '')).toBe(false);
      expect(otpMatches('482917', '٤٨٢٩١٧')).toBe(false);
      expect(otpMatches('482917', 'x'.repeat(10_000))).toBe(false);
      // timingSafeEqual itself refuses buffers of different lengths: otpMatches compares fixed-length digests, so
      // neither an exception nor an early exit can tell a wrong length from a wrong digit.
      expect(() => timingSafeEqual(Buffer.from('48291'), Buffer.from('482917'))).toThrow(/same byte length/);
    });
  });
});
