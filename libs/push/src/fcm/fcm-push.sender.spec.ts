import { createPublicKey, generateKeyPairSync, randomUUID, webcrypto, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import tls, { type TLSSocket } from 'node:tls';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { decodeJwt, jwtVerify } from 'jose';
import type { AuthRequestMessage } from '../push-message.js';
import { FcmPushSender } from './fcm-push.sender.js';

// What google-auth-library 10 (its vendored gtoken) posts to and signs for, and what firebase-admin 13 asks for.
const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PROJECT_ID = 'idtoken-push-test';
const NOW = Date.parse('2030-01-01T12:00:00.000Z');
const PUSH_TOKEN = 'fcm-registration-token-of-the-phone';

interface SeenRequest {
  host: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Google's OAuth token endpoint and FCM HTTP v1, on 127.0.0.1 behind a test CA, checking what real Google checks:
 * a JWT-bearer assertion signed by a known service-account key, then the bearer token it issued.
 */
class GoogleStandIn {
  readonly seen: SeenRequest[] = [];
  /** Why the stand-in refused a request; a passing test expects none unless it provoked one. */
  readonly refusals: string[] = [];
  /** Push tokens FCM answers `UNREGISTERED` for (the app was uninstalled). */
  readonly unregisteredPushTokens = new Set<string>();
  private readonly accounts = new Map<string, { publicKey: KeyObject; projectId: string }>();
  private readonly accessTokens = new Map<string, string>();
  private messageCount = 0;

  private constructor(readonly server: https.Server) {}

  static async start(tlsMaterial: { key: string; cert: string }): Promise<GoogleStandIn> {
    const server = https.createServer(tlsMaterial);
    const standIn = new GoogleStandIn(server);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void standIn.handle(request, response);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return standIn;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** A service account whose key Google knows; a key never registered is one Google revoked. */
  registerAccount(clientEmail: string, publicKey: KeyObject, projectId = PROJECT_ID): void {
    this.accounts.set(clientEmail, { publicKey, projectId });
  }

  /** Forgets what it saw between tests; accounts and issued tokens stay valid. */
  reset(): void {
    this.seen.length = 0;
    this.refusals.length = 0;
    this.unregisteredPushTokens.clear();
    this.messageCount = 0;
  }

  requestsTo(host: string): SeenRequest[] {
    return this.seen.filter((request) => request.host === host);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const seen: SeenRequest = {
      host: request.headers.host ?? '',
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.seen.push(seen);
    const answer = (status: number, json: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(JSON.stringify(json));
    };
    const refuse = (status: number, why: string) => {
      this.refusals.push(why);
      answer(status, { error: { code: status, message: why, status: 'INVALID_ARGUMENT' } });
    };
    // The agent must have asked for this host by SNI, not just written it into the Host header.
    if ((request.socket as TLSSocket).servername !== seen.host) return refuse(421, `SNI is not ${seen.host}`);
    if (seen.host === 'oauth2.googleapis.com' && seen.method === 'POST' && seen.path === '/token') {
      return this.answerTokenRequest(seen, answer, refuse);
    }
    const send = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(seen.path);
    if (seen.host === 'fcm.googleapis.com' && seen.method === 'POST' && send) {
      return this.answerSend(seen, send[1]!, answer, refuse);
    }
    refuse(404, `no such endpoint: ${seen.method} ${seen.host}${seen.path}`);
  }

  private async answerTokenRequest(
    seen: SeenRequest,
    answer: (status: number, json: unknown) => void,
    refuse: (status: number, why: string) => void,
  ): Promise<void> {
    const mediaType = seen.headers['content-type']?.split(';')[0];
    if (mediaType !== 'application/x-www-form-urlencoded') return refuse(400, 'not a form post');
    const form = new URLSearchParams(seen.body);
    if (form.get('grant_type') !== JWT_BEARER) return refuse(400, `grant_type ${form.get('grant_type')}`);
    const assertion = form.get('assertion') ?? '';
    const clientEmail = decodeJwt(assertion).iss ?? '';
    const account = this.accounts.get(clientEmail);
    if (!account) return answer(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    try {
      const { payload } = await jwtVerify(assertion, account.publicKey, {
        algorithms: ['RS256'],
        issuer: clientEmail,
        audience: TOKEN_URL,
        requiredClaims: ['iat', 'exp'],
      });
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      if (!scopes.includes(FCM_SCOPE)) return refuse(400, `scope ${String(payload.scope)}`);
    } catch (error) {
      return refuse(400, `assertion: ${(error as Error).message}`);
    }
    const accessToken = `ya29.stand-in-${randomUUID()}`;
    this.accessTokens.set(accessToken, account.projectId);
    answer(200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
  }

  private answerSend(
    seen: SeenRequest,
    projectId: string,
    answer: (status: number, json: unknown) => void,
    refuse: (status: number, why: string) => void,
  ): void {
    const bearer = /^Bearer (.+)$/.exec(seen.headers.authorization ?? '')?.[1] ?? '';
    if (!this.accessTokens.has(bearer)) return refuse(401, 'unknown bearer token');
    if (this.accessTokens.get(bearer) !== projectId) return refuse(403, `token not for project ${projectId}`);
    if (seen.headers['content-type']?.split(';')[0] !== 'application/json') return refuse(400, 'not JSON');
    const body = JSON.parse(seen.body) as { message?: { token?: string } };
    if (this.unregisteredPushTokens.has(body.message?.token ?? '')) {
      // FCM HTTP v1's answer for a token whose app was uninstalled.
      return answer(404, {
        error: {
          code: 404,
          message: 'Requested entity was not found.',
          status: 'NOT_FOUND',
          details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }],
        },
      });
    }
    this.messageCount += 1;
    answer(200, { name: `projects/${projectId}/messages/0:${this.messageCount}` });
  }
}

/** Connects every https request to the stand-in, keeping the requested name for SNI and certificate checks. */
class StandInAgent extends https.Agent {
  constructor(
    private readonly port: number,
    private readonly testCaPem: string,
  ) {
    super({ keepAlive: true });
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Socket {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: this.port,
      servername: options.servername || options.host || undefined,
      ca: this.testCaPem,
      ALPNProtocols: ['http/1.1'],
    });
    if (callback) {
      socket.once('secureConnect', () => callback(null, socket));
      socket.once('error', (error) => callback(error, socket));
    }
    return socket;
  }
}

async function createTestTls(): Promise<{ caPem: string; key: string; cert: string }> {
  const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' };
  const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' };
  const caKeys = await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']);
  const serverKeys = await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 86_400_000);
  const ca = await X509CertificateGenerator.createSelfSigned(
    {
      name: 'CN=IDToken push test CA',
      keys: caKeys,
      notBefore,
      notAfter,
      signingAlgorithm,
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign, true),
      ],
    },
    webcrypto,
  );
  const server = await X509CertificateGenerator.create(
    {
      subject: 'CN=fcm.googleapis.com',
      issuer: ca.subject,
      publicKey: serverKeys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm,
      extensions: [
        new SubjectAlternativeNameExtension([
          { type: 'dns', value: 'oauth2.googleapis.com' },
          { type: 'dns', value: 'fcm.googleapis.com' },
        ]),
        new BasicConstraintsExtension(false),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
      ],
    },
    webcrypto,
  );
  const serverKeyPkcs8 = await webcrypto.subtle.exportKey('pkcs8', serverKeys.privateKey);
  return {
    caPem: ca.toString('pem'),
    cert: server.toString('pem'),
    key: PemConverter.encode(serverKeyPkcs8, 'PRIVATE KEY'),
  };
}

/** A made-up service account, in the shape the Firebase console downloads, with a fresh key. */
function createServiceAccount(name: string): { json: Record<string, string>; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    json: {
      type: 'service_account',
      project_id: PROJECT_ID,
      private_key_id: randomUUID().replaceAll('-', ''),
      private_key: privateKey,
      client_email: `${name}-${randomUUID().slice(0, 8)}@${PROJECT_ID}.iam.gserviceaccount.com`,
      client_id: '100000000000000000001',
      token_uri: TOKEN_URL,
    },
    publicKey: createPublicKey(publicKey),
  };
}

function authRequest(overrides: Partial<AuthRequestMessage> = {}): AuthRequestMessage {
  return {
    type: 'auth_request',
    sessionId: 'c6f1a0f2-5d3e-4b8a-9f0e-2f4b7a1d9e10',
    otp: '482917',
    serviceId: 'demo-rp',
    serviceName: 'Demo Relying Party',
    serviceUrl: 'https://rp.example.org',
    serviceVerified: 'true',
    scopes: '["identity:family_name","identity:given_name"]',
    expiresAt: '2030-01-01T12:02:00.000Z',
    ...overrides,
  };
}

describe('FcmPushSender against a stand-in for Google OAuth and FCM HTTP v1', () => {
  let standIn: GoogleStandIn;
  let agent: StandInAgent;
  let serviceAccountDir: string;
  const senders: FcmPushSender[] = [];
  const warnings: { obj: object; msg: string }[] = [];

  beforeAll(async () => {
    const testTls = await createTestTls();
    standIn = await GoogleStandIn.start(testTls);
    agent = new StandInAgent(standIn.port, testTls.caPem);
    serviceAccountDir = await mkdtemp(join(tmpdir(), 'idtoken-fcm-'));
  });

  afterEach(async () => {
    await Promise.all(senders.splice(0).map((sender) => sender.close()));
    standIn.reset();
    warnings.length = 0;
  });

  afterAll(async () => {
    agent.destroy();
    await standIn.close();
    await rm(serviceAccountDir, { recursive: true, force: true });
  });

  /**
   * A sender with its own service-account file, whose key Google knows unless told otherwise. Its own file, because
   * firebase-admin memoises cert() per path, cached access token included.
   */
  async function createSender(options: { knownToGoogle?: boolean } = {}): Promise<FcmPushSender> {
    const account = createServiceAccount('push');
    if (options.knownToGoogle !== false) standIn.registerAccount(account.json.client_email!, account.publicKey);
    const serviceAccount = join(serviceAccountDir, `${account.json.client_email}.json`);
    await writeFile(serviceAccount, JSON.stringify(account.json), { mode: 0o600 });
    const sender = new FcmPushSender({
      serviceAccount,
      httpAgent: agent,
      logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
      now: () => NOW,
    });
    senders.push(sender);
    return sender;
  }

  it('sends exactly a data-only message with the §6.3 fields, Android high priority and an APNs background push', async () => {
    const sender = await createSender();

    await expect(sender.send({ tokenId: 'tok-1', pushToken: PUSH_TOKEN }, authRequest())).resolves.toEqual({
      status: 'sent',
      id: `projects/${PROJECT_ID}/messages/0:1`,
    });

    expect(standIn.refusals).toEqual([]);
    const [sent] = standIn.requestsTo('fcm.googleapis.com');
    const body = JSON.parse(sent!.body) as { message: Record<string, unknown> };
    expect(body).toStrictEqual({
      message: {
        token: PUSH_TOKEN,
        data: {
          type: 'auth_request',
          sessionId: 'c6f1a0f2-5d3e-4b8a-9f0e-2f4b7a1d9e10',
          otp: '482917',
          serviceId: 'demo-rp',
          serviceName: 'Demo Relying Party',
          serviceUrl: 'https://rp.example.org',
          serviceVerified: 'true',
          scopes: '["identity:family_name","identity:given_name"]',
          expiresAt: '2030-01-01T12:02:00.000Z',
        },
        android: { priority: 'high', ttl: '120s' },
        apns: {
          headers: { 'apns-push-type': 'background', 'apns-priority': '5' },
          payload: { aps: { 'content-available': 1 } },
        },
      },
    });
    expect(body.message).not.toHaveProperty('notification');
    expect(standIn.requestsTo('oauth2.googleapis.com')).toHaveLength(1);
  });

  it('sends an already expired request with a TTL of zero', async () => {
    const sender = await createSender();

    await sender.send({ tokenId: 'tok-1', pushToken: PUSH_TOKEN }, authRequest({ expiresAt: '2030-01-01T11:59:59Z' }));

    const [sent] = standIn.requestsTo('fcm.googleapis.com');
    expect(JSON.parse(sent!.body)).toMatchObject({ message: { android: { ttl: '0s' } } });
  });

  it('skips a device without a push token and makes no request at all', async () => {
    const sender = await createSender();

    await expect(sender.send({ tokenId: 'tok-1' }, authRequest())).resolves.toEqual({
      status: 'skipped',
      reason: 'no_push_token',
    });
    expect(standIn.seen).toEqual([]);
  });

  it('reports an uninstalled app (FCM 404 UNREGISTERED) as failed without throwing, and logs no OTP', async () => {
    const sender = await createSender();
    standIn.unregisteredPushTokens.add('token-of-an-uninstalled-app');

    const outcome = await sender.send({ tokenId: 'tok-1', pushToken: 'token-of-an-uninstalled-app' }, authRequest());

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'messaging/registration-token-not-registered',
      detail: 'Requested entity was not found.',
    });
    expect(warnings).toEqual([
      {
        obj: expect.objectContaining({ reason: 'messaging/registration-token-not-registered' }),
        msg: 'FCM push failed',
      },
    ]);
    expect(JSON.stringify(warnings)).not.toContain('482917');
    expect(JSON.stringify(warnings)).not.toContain('token-of-an-uninstalled-app');
  });

  it('reports a refused service-account key (token endpoint 400 invalid_grant) as failed without throwing', async () => {
    const sender = await createSender({ knownToGoogle: false });

    const outcome = await sender.send({ tokenId: 'tok-1', pushToken: PUSH_TOKEN }, authRequest());

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'app/invalid-credential',
      detail: expect.stringContaining('invalid_grant'),
    });
    expect(standIn.requestsTo('oauth2.googleapis.com')).toHaveLength(1);
    expect(standIn.requestsTo('fcm.googleapis.com')).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain('482917');
  });

  it('fetches one access token and reuses it for the next send', async () => {
    const sender = await createSender();
    const recipient = { tokenId: 'tok-1', pushToken: PUSH_TOKEN };

    await expect(sender.send(recipient, authRequest())).resolves.toMatchObject({ status: 'sent' });
    await expect(sender.send(recipient, authRequest({ otp: '105833' }))).resolves.toMatchObject({ status: 'sent' });

    expect(standIn.refusals).toEqual([]);
    expect(standIn.requestsTo('oauth2.googleapis.com')).toHaveLength(1);
    const sends = standIn.requestsTo('fcm.googleapis.com');
    expect(sends).toHaveLength(2);
    expect(sends[1]!.headers.authorization).toBe(sends[0]!.headers.authorization);
  });

  it('refuses a parsed service account together with an agent, whose token request would bypass the agent', () => {
    const account = createServiceAccount('parsed');

    expect(() => new FcmPushSender({ serviceAccount: account.json, httpAgent: agent })).toThrow(/file path/);
  });
});
