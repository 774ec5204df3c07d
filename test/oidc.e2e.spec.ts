import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { OidcProviderHost } from '#idtoken/oidc';
import { fetchTrusting, localhostCertificate } from './support/tls.js';
import type { AddressInfo } from 'node:net';
import {
  SignJWT,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  importX509,
  jwtVerify,
  type CryptoKey,
  type JWK,
} from 'jose';
import * as oidc from 'openid-client';
import { io } from 'socket.io-client';
import { DeviceLogin, scanQrPng, type Device } from '../apps/device/src/index.js';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
import { BrowserSession } from './support/browser-session.js';
import { freePort, startTestApp, type RunningApp } from './support/test-app.js';

const REDIRECT = 'https://rp.example/callback';

/**
 * The OIDC facade with an independent relying party: openid-client (by oidc-provider's author, but a separate
 * implementation) runs discovery, the code flow with PKCE, the token, userinfo, refresh, introspection, revocation
 * and end-session calls, while the device simulator approves on the phone in between.
 */
describe('OIDC facade (docs/oidc.md) with openid-client as the relying party', () => {
  let server: RunningApp;
  let issuer: string;
  let phone: { device: Device; login: DeviceLogin; face: Uint8Array };
  const secrets: Record<string, string> = {};
  let rpKey: CryptoKey;
  let shopKeyJwk: JWK;
  let station: Awaited<ReturnType<typeof setUpStation>>['station'];
  let csca: Awaited<ReturnType<typeof setUpStation>>['csca'];

  const admin = (path: string, body: unknown, method = 'POST') =>
    fetch(`${issuer}${path}`, {
      method,
      headers: { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const registerClient = async (serviceId: string, oidcSettings: Record<string, unknown>, extra: object = {}) => {
    const response = await admin('/admin/services', {
      serviceId,
      name: `RP ${serviceId}`,
      url: 'https://rp.example',
      allowedScopes: ['identity:basic', 'identity:date_of_birth', 'identity:age_over_18'],
      defaultScopes: ['identity:name'],
      requireTrust: false,
      oidc: { redirectUris: [REDIRECT], postLogoutRedirectUris: ['https://rp.example/bye'], ...oidcSettings },
      ...extra,
    });
    expect(response.status).toBe(201);
    secrets[serviceId] = ((await response.json()) as { serviceSecret: string }).serviceSecret;
  };
  const configFor = (clientId: string, auth: oidc.ClientAuth) =>
    oidc.discovery(new URL(issuer), clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });

  const atRp = (u: URL) => u.href.startsWith(REDIRECT);

  /** How the RP sends its authorization request: plain query, a signed request object (JAR), or pushed (PAR). */
  type RequestStyle = (config: oidc.Configuration, params: Record<string, string>) => Promise<URL>;
  const plainRequest: RequestStyle = async (config, params) => oidc.buildAuthorizationUrl(config, params);

  /** Opens the sign-in page of a fresh authorization request (PKCE S256), as the RP's redirect would. */
  const openSignIn = async (
    config: oidc.Configuration,
    scope: string,
    extra: Record<string, string> = {},
    style: RequestStyle = plainRequest,
  ) => {
    const browser = new BrowserSession();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = await style(config, {
      redirect_uri: REDIRECT,
      scope,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    const page = await browser.visit(url.href, atRp);
    return { browser, page, verifier, state, csrf: BrowserSession.field(page.body, 'csrf') };
  };

  /** Enters the holder's identifier; the page then shows the code while the phone is asked. */
  const enterIdentifier = async (
    { browser, page, csrf }: Awaited<ReturnType<typeof openSignIn>>,
    holder: Device = phone.device,
  ) =>
    browser.submit(
      new URL(BrowserSession.action(page.body, '/login'), issuer).href,
      { csrf, tokenId: holder.tokenId! },
      atRp,
    );

  /** The pending request on the phone whose code the page shows (as the user compares them). */
  const requestShownOn = async (page: string, holder: typeof phone = phone) => {
    const shown = /class="otp"[^>]*>(\d{6})</.exec(page)?.[1];
    const request = (await holder.login.inbox()).find((pending) => pending.otp === shown);
    expect(request).toBeDefined();
    return request!;
  };

  /** The browser signs in: identifier page → the phone approves `grant` (default: all asked) → back at the RP. */
  const signIn = async (
    config: oidc.Configuration,
    scope: string,
    options: { grant?: string[]; extra?: Record<string, string>; holder?: typeof phone; style?: RequestStyle } = {},
  ) => {
    const holder = options.holder ?? phone;
    const opened = await openSignIn(config, scope, options.extra, options.style);
    expect(opened.page.status).toBe(200);
    expect(opened.page.body).toContain('Sign in with IDToken');
    const waiting = await enterIdentifier(opened, holder.device);
    expect(waiting.body).toContain('Match this code on your IDToken app');
    // The page shows the code the phone shows: that is the request to answer.
    const request = await requestShownOn(waiting.body, holder);
    await holder.login.approve(request!, {
      liveFaceTemplate: holder.face,
      grantedScopes: options.grant ?? request!.scopes,
    });
    const back = await opened.browser.visit(waiting.url.href.replace(/\/wait$/, '/complete'), atRp);
    expect(back.url.href).toMatch(/^https:\/\/rp\.example\/callback\?code=/);
    const tokens = await oidc.authorizationCodeGrant(config, back.url, {
      pkceCodeVerifier: opened.verifier,
      expectedState: opened.state,
    });
    return { tokens, browser: opened.browser, callback: back.url };
  };

  /** A phone of its own (for tests that revoke it). */
  const newPhone = async (): Promise<typeof phone> => {
    const issued = await issueCredential(station, csca);
    const device = await newDevice(issuer);
    await device.receiveCredential(issued.vds);
    await device.enroll({ liveFaceTemplate: issued.face });
    return { device, login: new DeviceLogin(device, issuer), face: issued.face };
  };

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    server = await startTestApp(
      {
        IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
        ISSUER_URL: issuer,
        INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
        // Every sign-in here comes from 127.0.0.1: the per-IP initiate limit has its own tests.
        INITIATE_RATE_LIMIT_PER_MINUTE: '1000',
      },
      { port },
    );
    ({ station, csca } = await setUpStation(issuer));
    phone = await newPhone();
    const pair = await generateKeyPair('ES256', { extractable: true });
    rpKey = pair.privateKey;
    shopKeyJwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey);
    await registerClient('basic-rp', { refreshTokens: true });
    await registerClient('post-rp', { tokenEndpointAuthMethod: 'client_secret_post' });
    await registerClient('hs-rp', { tokenEndpointAuthMethod: 'client_secret_jwt' });
    await registerClient('spa', { tokenEndpointAuthMethod: 'none' });
    await registerClient(
      'jwt-rp',
      { tokenEndpointAuthMethod: 'private_key_jwt', idTokenClaims: true },
      { publicKeys: [{ ...(await exportJWK(pair.publicKey)), kid: 'rp-key-1' }], subjectType: 'public' },
    );
  });
  afterAll(async () => server?.close());

  it('publishes discovery with the issuer byte for byte and the server JWKS', async () => {
    const config = await configFor('basic-rp', oidc.ClientSecretBasic('unused'));
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.jwks_uri).toBe(`${issuer}/.well-known/jwks.json`);
    expect(metadata.authorization_endpoint).toBe(`${issuer}/oidc/auth`);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.subject_types_supported).toEqual(['public', 'pairwise']);
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'identity:age_over_18']));
  });

  it('runs the code flow with PKCE and client_secret_basic: pairwise sub, claims at userinfo, refresh, introspection, revocation', async () => {
    const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
    // OIDC Core §11: offline_access only with prompt=consent (the phone's approval is that consent).
    const { tokens } = await signIn(config, 'openid profile offline_access', { extra: { prompt: 'consent' } });
    const idToken = tokens.claims()!;
    expect(idToken).toMatchObject({
      iss: issuer,
      aud: 'basic-rp',
      acr: 'http://eidas.europa.eu/LoA/high',
      amr: ['face', 'hwk', 'mfa'],
    });
    // Pairwise by default: not the tokenId.
    expect(idToken.sub).not.toBe(phone.device.tokenId);
    // Claims only at userinfo by default.
    expect(idToken.given_name).toBeUndefined();
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
    expect(Object.keys(userinfo).sort()).toEqual(['birthdate', 'family_name', 'given_name', 'sub']);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    const active = await oidc.tokenIntrospection(config, refreshed.access_token);
    expect(active).toMatchObject({ active: true, client_id: 'basic-rp', sub: idToken.sub });
    await oidc.tokenRevocation(config, refreshed.access_token);
    expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);

    // Rotation: the first refresh token is spent, and replaying it revokes the whole grant, new tokens included.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('releases only what the holder granted on the phone: the name without the birth date', async () => {
    const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
    const { tokens } = await signIn(config, 'openid profile', { grant: ['identity:name'] });
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(Object.keys(userinfo).sort()).toEqual(['family_name', 'given_name', 'sub']);
  });

  it('honours the claims request parameter: the phone is asked for the claim, and it reaches the client', async () => {
    const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
    const claims = JSON.stringify({ userinfo: { birthdate: null }, id_token: { acr: { essential: true } } });
    const { tokens } = await signIn(config, 'openid', { extra: { claims } });
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(Object.keys(userinfo).sort()).toEqual(['birthdate', 'sub']);
    expect(tokens.claims()!.acr).toBe('http://eidas.europa.eu/LoA/high');
  });

  it('works with client_secret_post', async () => {
    const config = await configFor('post-rp', oidc.ClientSecretPost(secrets['post-rp']!));
    const { tokens } = await signIn(config, 'openid identity:age_over_18');
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo).toEqual({ sub: tokens.claims()!.sub, age_over_18: true });
  });

  it('works with private_key_jwt, a public sub and claims in the ID token when the client asks for them', async () => {
    const config = await configFor('jwt-rp', oidc.PrivateKeyJwt({ key: rpKey, kid: 'rp-key-1' }));
    const { tokens } = await signIn(config, 'openid identity:basic');
    const idToken = tokens.claims()!;
    expect(idToken.sub).toBe(phone.device.tokenId);
    expect(idToken).toMatchObject({
      given_name: expect.any(String),
      family_name: expect.any(String),
      trust_level: 'high',
    });
  });

  it('accepts an HS256 request object keyed by the client secret (as Okta sends) and a pushed request (PAR)', async () => {
    const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
    // JAR, RFC 9101: the parameters inside a JWT signed with HMAC-SHA256 under the client secret.
    const hs256: RequestStyle = async (cfg, params) => {
      const requestObject = await new SignJWT({ ...params, client_id: 'basic-rp', response_type: 'code' })
        .setProtectedHeader({ alg: 'HS256', typ: 'oauth-authz-req+jwt' })
        .setIssuer('basic-rp')
        .setAudience(issuer)
        .setIssuedAt()
        .setExpirationTime('2m')
        .setJti(randomUUID())
        .sign(new TextEncoder().encode(secrets['basic-rp']!));
      const url = new URL(cfg.serverMetadata().authorization_endpoint!);
      url.search = new URLSearchParams({ client_id: 'basic-rp', request: requestObject }).toString();
      return url;
    };
    const jar = await signIn(config, 'openid profile', { style: hs256 });
    expect(jar.tokens.claims()!.aud).toBe('basic-rp');
    // PAR, RFC 9126: openid-client pushes the request with its client authentication, then redirects by reference.
    const par: RequestStyle = (cfg, params) => oidc.buildAuthorizationUrlWithPAR(cfg, params);
    const pushed = await signIn(config, 'openid', { style: par });
    expect(pushed.tokens.claims()!.iss).toBe(issuer);
  });

  it('refuses a request object signed with another secret', async () => {
    const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
    const forged = await new SignJWT({
      client_id: 'basic-rp',
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('basic-rp')
      .setAudience(issuer)
      .setExpirationTime('2m')
      .sign(new TextEncoder().encode('not-the-secret-of-basic-rp-0000000'));
    const url = new URL(config.serverMetadata().authorization_endpoint!);
    url.search = new URLSearchParams({ client_id: 'basic-rp', request: forged }).toString();
    const refused = await new BrowserSession().visit(url.href, atRp);
    expect(refused.url.searchParams.get('error') ?? refused.body).toMatch(/invalid_request_object/);
  });

  it('works with client_secret_jwt, and for a public client (none) with PKCE', async () => {
    const hs = await configFor('hs-rp', oidc.ClientSecretJwt(secrets['hs-rp']!));
    expect((await signIn(hs, 'openid')).tokens.claims()!.aud).toBe('hs-rp');
    const spa = await configFor('spa', oidc.None());
    expect((await signIn(spa, 'openid')).tokens.claims()!.aud).toBe('spa');
  });

  it('refuses a public client’s request without PKCE', async () => {
    const spa = await configFor('spa', oidc.None());
    const url = oidc.buildAuthorizationUrl(spa, { redirect_uri: REDIRECT, scope: 'openid' });
    const refused = await new BrowserSession().visit(url.href, atRp);
    expect(refused.url.searchParams.get('error')).toBe('invalid_request');
    expect(refused.url.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('answers a reused code with invalid_grant and revokes the tokens issued from it', async () => {
    const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
    const opened = await openSignIn(config, 'openid');
    const waiting = await enterIdentifier(opened);
    await phone.login.approve(await requestShownOn(waiting.body), { liveFaceTemplate: phone.face });
    const back = await opened.browser.visit(waiting.url.href.replace(/\/wait$/, '/complete'), atRp);
    const redeem = () =>
      oidc.authorizationCodeGrant(config, back.url, { pkceCodeVerifier: opened.verifier, expectedState: opened.state });
    const first = await redeem();
    expect((await oidc.tokenIntrospection(config, first.access_token)).active).toBe(true);
    await expect(redeem()).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(config, first.access_token)).active).toBe(false);
  });

  it('refuses a scope beyond what the service may ask for, and an unknown client', async () => {
    const config = await configFor('post-rp', oidc.ClientSecretPost(secrets['post-rp']!));
    // The request never reaches a sign-in page: the client is sent back with invalid_scope.
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid identity:photo',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const refused = await new BrowserSession().visit(url.href, atRp);
    expect(refused.url.searchParams.get('error')).toBe('invalid_scope');
    const unknown = new URL(url);
    unknown.searchParams.set('client_id', `nobody-${randomUUID()}`);
    const page = await new BrowserSession().visit(unknown.href, atRp);
    expect(page.status).toBe(400);
    expect(page.body).toContain('invalid_client');
  });

  it('refuses client assertions with alg none, HS256 keyed by the public key, or a replayed jti', async () => {
    const token = (assertion: string) =>
      fetch(`${issuer}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'x',
          redirect_uri: REDIRECT,
          client_id: 'jwt-rp',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }).toString(),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as { error: string } }));
    const signed = (key: CryptoKey | Uint8Array, alg: string, jti = randomUUID()) =>
      new SignJWT({ jti })
        .setProtectedHeader({ alg, kid: 'rp-key-1' })
        .setIssuer('jwt-rp')
        .setSubject('jwt-rp')
        .setAudience(issuer)
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(key);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({
        jti: randomUUID(),
        iss: 'jwt-rp',
        sub: 'jwt-rp',
        aud: issuer,
        exp: Math.floor(Date.now() / 1000) + 60,
      }),
    ).toString('base64url')}.`;
    expect(await token(none)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    // Key confusion: the client's public key used as an HMAC secret.
    const publicJwk = (await (
      await fetch(`${issuer}/admin/services/jwt-rp`, { headers: { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` } })
    ).json()) as {
      publicKeys: { jwk: Record<string, string> }[];
    };
    const confused = await signed(new TextEncoder().encode(JSON.stringify(publicJwk.publicKeys[0]!.jwk)), 'HS256');
    expect(await token(confused)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    // A valid assertion is accepted once: the second use of its jti is refused (the code itself is bogus: 400).
    const jti = randomUUID();
    const first = await token(await signed(rpKey, 'ES256', jti));
    expect(first).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await token(await signed(rpKey, 'ES256', jti))).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
  });

  it('ends the session at end_session and sends the browser to a registered post-logout URI', async () => {
    const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
    const { tokens, browser } = await signIn(config, 'openid');
    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'https://rp.example/bye',
    });
    const page = await browser.visit(logout.href, (u) => u.origin === 'https://rp.example');
    // oidc-provider asks the browser to confirm with a form (CSRF-protected); submitting it logs out.
    const confirm = await browser.submit(
      new URL(BrowserSession.action(page.body, '/oidc/session/end/confirm'), issuer).href,
      { xsrf: BrowserSession.field(page.body, 'xsrf'), logout: 'yes' },
      (u) => u.origin === 'https://rp.example',
    );
    expect(confirm.url.href).toMatch(/^https:\/\/rp\.example\/bye/);
  });

  it('lets the waiting page listen on the session socket: its data opens /session and the approval arrives there', async () => {
    const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
    const opened = await openSignIn(config, 'openid');
    const waiting = await enterIdentifier(opened);
    expect(waiting.body).toContain('<script src="/socket.io/socket.io.min.js" defer></script>');
    const script = await fetch(`${issuer}/socket.io/socket.io.min.js`);
    expect([script.status, script.headers.get('content-type')]).toEqual([200, expect.stringMatching(/javascript/)]);
    const data = (name: string) => new RegExp(`data-${name}="([^"]+)"`).exec(waiting.body)![1]!;
    const socket = io(`${issuer}/session`, {
      transports: ['websocket'],
      auth: { sessionId: data('session-id'), wsToken: data('ws-token') },
      extraHeaders: { origin: issuer },
      reconnection: false,
    });
    try {
      const approved = new Promise<{ sessionId: string }>((resolve) => socket.once('approved', resolve));
      await new Promise((ready) => socket.once('otp_ready', ready));
      await phone.login.approve(await requestShownOn(waiting.body), { liveFaceTemplate: phone.face });
      expect((await approved).sessionId).toBe(data('session-id'));
    } finally {
      socket.close();
    }
    const back = await opened.browser.visit(waiting.url.href.replace(/\/wait$/, '/complete'), atRp);
    expect(back.url.searchParams.get('code')).toBeTruthy();
  });

  it('signs in by QR code (claims-only session): the phone scans the page’s QR and the RP gets a pairwise sub', async () => {
    const config = await configFor('post-rp', oidc.ClientSecretPost(secrets['post-rp']!));
    const { browser, page, verifier, state, csrf } = await openSignIn(config, 'openid identity:age_over_18');
    const waiting = await browser.submit(new URL(BrowserSession.action(page.body, '/qr'), issuer).href, { csrf }, atRp);
    expect(waiting.body).toContain('scan with your IDToken app');
    // The phone's camera reads the PNG on the page.
    const dataUrl = /<img src="data:image\/png;base64,([^"]+)"/.exec(waiting.body)![1]!;
    const request = await phone.login.scanQr(scanQrPng(Buffer.from(dataUrl, 'base64')));
    expect(request).toMatchObject({ serviceId: 'post-rp', scopes: ['identity:age_over_18'], via: 'qr' });
    await phone.login.approve(request, { liveFaceTemplate: phone.face });
    const back = await browser.visit(waiting.url.href.replace(/\/wait$/, '/complete'), atRp);
    const tokens = await oidc.authorizationCodeGrant(config, back.url, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo).toEqual({ sub: tokens.claims()!.sub, age_over_18: true });
    expect(userinfo.sub).not.toBe(phone.device.tokenId);
  });

  it('shows a clear page when the phone denies, offers a retry, and cancelling sends access_denied to the RP', async () => {
    const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
    const opened = await openSignIn(config, 'openid');
    const { browser } = opened;
    const waiting = await enterIdentifier(opened);
    const request = await requestShownOn(waiting.body);
    await phone.login.deny(request!.sessionId);
    const ended = await browser.visit(waiting.url.href.replace(/\/wait$/, '/complete'), atRp);
    expect(ended.body).toContain('Denied — you declined the request on your phone.');
    expect(ended.body).toContain('Try again');
    const cancelled = await browser.submit(
      new URL(BrowserSession.action(ended.body, '/cancel'), issuer).href,
      { csrf: BrowserSession.field(ended.body, 'csrf') },
      atRp,
    );
    expect(cancelled.url.searchParams.get('error')).toBe('access_denied');
  });

  it('ends the holder’s OIDC life when the enrollment is revoked: back-channel logout, tokens dead', async () => {
    const received: string[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((listening) => receiver.listen(0, '127.0.0.1', listening));
    try {
      const { port } = receiver.address() as AddressInfo;
      await registerClient('bcl-rp', { refreshTokens: true, backchannelLogoutUri: `http://127.0.0.1:${port}/bcl` });
      const config = await configFor('bcl-rp', oidc.ClientSecretBasic(secrets['bcl-rp']!));
      const holder = await newPhone();
      const { tokens } = await signIn(config, 'openid offline_access', { holder, extra: { prompt: 'consent' } });
      const revoked = await admin('/revoke', { tokenId: holder.device.tokenId, reason: 'lost_device' });
      expect(revoked.status).toBe(200);
      for (let i = 0; i < 100 && received.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(received).toHaveLength(1);
      const { payload, protectedHeader } = await jwtVerify(
        received[0]!,
        createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)),
        { issuer, audience: 'bcl-rp', typ: 'logout+jwt' },
      );
      expect(protectedHeader.alg).toBe('ES256');
      expect(payload).toMatchObject({
        sub: tokens.claims()!.sub,
        sid: tokens.claims()!.sid,
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      });
      await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
      expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    } finally {
      receiver.close();
    }
  });

  describe('enterprise profiles', () => {
    const hs256Request: RequestStyle = async (cfg, params) => {
      const clientId = cfg.clientMetadata().client_id;
      const requestObject = await new SignJWT({ ...params, client_id: clientId, response_type: 'code' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(clientId)
        .setAudience(issuer)
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(new TextEncoder().encode(secrets[clientId]!));
      const url = new URL(cfg.serverMetadata().authorization_endpoint!);
      url.search = new URLSearchParams({ client_id: clientId, request: requestObject }).toString();
      return url;
    };

    it('Okta: HS256 request object, openid profile email, the email from an account link, sign-in by username', async () => {
      await registerClient('okta', { requireEmail: true, tokenEndpointAuthMethod: 'client_secret_basic' });
      const linked = await admin(
        `/admin/services/okta/account-links/${phone.device.tokenId}`,
        {
          email: 'ada@corp.example',
          emailVerified: true,
          username: 'ada.lovelace',
        },
        'PUT',
      );
      expect(linked.status).toBe(201);
      const config = await configFor('okta', oidc.ClientSecretBasic(secrets['okta']!));
      const opened = await openSignIn(config, 'openid profile email', {}, hs256Request);
      // The holder types the username the company knows, not the tokenId.
      const waiting = await opened.browser.submit(
        new URL(BrowserSession.action(opened.page.body, '/login'), issuer).href,
        { csrf: opened.csrf, tokenId: 'Ada.Lovelace' },
        atRp,
      );
      const request = await requestShownOn(waiting.body);
      await phone.login.approve(request, { liveFaceTemplate: phone.face });
      const back = await opened.browser.visit(waiting.url.href.replace(/\/wait$/, '/complete'), atRp);
      const tokens = await oidc.authorizationCodeGrant(config, back.url, {
        pkceCodeVerifier: opened.verifier,
        expectedState: opened.state,
      });
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      expect(userinfo).toMatchObject({
        email: 'ada@corp.example',
        email_verified: true,
        given_name: expect.any(String),
      });
    });

    it('ends with access_denied, never a token without it, when a client requires an email and none is linked', async () => {
      const config = await configFor('okta', oidc.ClientSecretBasic(secrets['okta']!));
      const holder = await newPhone();
      const opened = await openSignIn(config, 'openid email');
      const waiting = await enterIdentifier(opened, holder.device);
      await holder.login.approve(await requestShownOn(waiting.body, holder), { liveFaceTemplate: holder.face });
      const back = await opened.browser.visit(waiting.url.href.replace(/\/wait$/, '/complete'), atRp);
      expect(back.url.searchParams.get('error')).toBe('access_denied');
      expect(back.url.searchParams.get('error_description')).toMatch(/needs an email address/);
    });

    it('Entra External ID: discovery has the seven fields Entra reads; client_secret_post, code only', async () => {
      const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
        string,
        unknown
      >;
      for (const field of [
        'issuer',
        'authorization_endpoint',
        'token_endpoint',
        'jwks_uri',
        'response_types_supported',
        'subject_types_supported',
        'id_token_signing_alg_values_supported',
      ]) {
        expect(metadata[field]).toBeDefined();
      }
      expect(metadata.response_types_supported).toEqual(['code']);
      const config = await configFor('post-rp', oidc.ClientSecretPost(secrets['post-rp']!));
      const { tokens } = await signIn(config, 'openid profile');
      expect(tokens.claims()!.iss).toBe(issuer);
    });
  });

  it('Entra External Authentication Methods: RS256 ID tokens, verifiable with the x5c certificate of the JWKS', async () => {
    await registerClient('entra-eam', { tokenEndpointAuthMethod: 'client_secret_post', idTokenSigningAlg: 'RS256' });
    const config = await configFor('entra-eam', oidc.ClientSecretPost(secrets['entra-eam']!));
    const { tokens } = await signIn(config, 'openid');
    const idToken = tokens.id_token!;
    const header = JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString()) as {
      alg: string;
      kid: string;
    };
    expect(header.alg).toBe('RS256');
    const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string; alg: string; x5c?: string[] }[];
    };
    const published = jwks.keys.find((key) => key.kid === header.kid)!;
    expect(published).toMatchObject({ alg: 'RS256', x5c: [expect.any(String)] });
    const certificate = `-----BEGIN CERTIFICATE-----\n${published.x5c![0]}\n-----END CERTIFICATE-----`;
    const { payload } = await jwtVerify(idToken, await importX509(certificate, 'RS256'), {
      issuer,
      audience: 'entra-eam',
    });
    expect(payload.amr).toEqual(['face', 'hwk', 'mfa']);
  });

  describe('CIBA (poll and ping): the phone is the authentication device, the code comes back as binding_code', () => {
    const cibaToken = (config: oidc.Configuration, authReqId: string, secret: string, clientId: string) =>
      fetch(config.serverMetadata().token_endpoint!, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: authReqId }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as Record<string, string>,
      }));

    beforeAll(async () => {
      await registerClient('ciba-rp', { ciba: { deliveryMode: 'poll' } }, { subjectType: 'public' });
    });

    it('polls: authorization_pending until the phone approves, then tokens with only the granted claims', async () => {
      const config = await configFor('ciba-rp', oidc.ClientSecretBasic(secrets['ciba-rp']!));
      const started = await oidc.initiateBackchannelAuthentication(config, {
        scope: 'openid identity:basic',
        login_hint: phone.device.tokenId!,
      });
      const pending = await cibaToken(config, started.auth_req_id, secrets['ciba-rp']!, 'ciba-rp');
      expect(pending).toMatchObject({ status: 400, body: { error: 'authorization_pending' } });
      const request = (await phone.login.inbox()).find((pending) => pending.otp === started.binding_code);
      // The client shows the binding code; the phone shows the same.
      expect(request).toBeDefined();
      expect(request).toMatchObject({ serviceId: 'ciba-rp', scopes: ['identity:name', 'identity:trust_level'] });
      await phone.login.approve(request!, { liveFaceTemplate: phone.face, grantedScopes: ['identity:name'] });
      const tokens = await oidc.pollBackchannelAuthenticationGrant(config, started);
      expect(tokens.claims()).toMatchObject({ iss: issuer, aud: 'ciba-rp', amr: ['face', 'hwk', 'mfa'] });
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      expect(Object.keys(userinfo).sort()).toEqual(['family_name', 'given_name', 'sub']);
    });

    it('answers access_denied when the phone denies, and expired_token after the request expired', async () => {
      const config = await configFor('ciba-rp', oidc.ClientSecretBasic(secrets['ciba-rp']!));
      const denied = await oidc.initiateBackchannelAuthentication(config, {
        scope: 'openid',
        login_hint: phone.device.tokenId!,
      });
      const request = (await phone.login.inbox()).find((pending) => pending.otp === denied.binding_code);
      await phone.login.deny(request!.sessionId);
      await expect(oidc.pollBackchannelAuthenticationGrant(config, denied)).rejects.toMatchObject({
        error: 'access_denied',
      });
      const expiring = await oidc.initiateBackchannelAuthentication(config, {
        scope: 'openid',
        login_hint: phone.device.tokenId!,
        requested_expiry: '1',
      });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const expired = await cibaToken(config, expiring.auth_req_id, secrets['ciba-rp']!, 'ciba-rp');
      expect(expired).toMatchObject({ status: 400, body: { error: 'expired_token' } });
    });

    it('pings the client’s notification endpoint when the phone approves', async () => {
      const pings: { authorization?: string; body: string }[] = [];
      // CIBA Core §10.2: the notification endpoint is https; the server trusts this test peer's certificate.
      const tls = localhostCertificate();
      server.app.get(OidcProviderHost).useOutboundFetch(fetchTrusting(tls.cert));
      const endpoint = createHttpsServer(tls, (request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          pings.push({ authorization: request.headers.authorization, body });
          response.writeHead(204).end();
        });
      });
      await new Promise<void>((listening) => endpoint.listen(0, '127.0.0.1', listening));
      try {
        const { port } = endpoint.address() as AddressInfo;
        await registerClient(
          'ping-rp',
          { ciba: { deliveryMode: 'ping', notificationEndpoint: `https://127.0.0.1:${port}/ciba` } },
          { subjectType: 'public' },
        );
        const config = await configFor('ping-rp', oidc.ClientSecretBasic(secrets['ping-rp']!));
        const token = randomUUID();
        const started = await oidc.initiateBackchannelAuthentication(config, {
          scope: 'openid',
          login_hint: phone.device.tokenId!,
          client_notification_token: token,
        });
        const request = (await phone.login.inbox()).find((pending) => pending.otp === started.binding_code);
        await phone.login.approve(request!, { liveFaceTemplate: phone.face });
        for (let i = 0; i < 100 && pings.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
        expect(pings).toEqual([
          { authorization: `Bearer ${token}`, body: JSON.stringify({ auth_req_id: started.auth_req_id }) },
        ]);
        const tokens = await cibaToken(config, started.auth_req_id, secrets['ping-rp']!, 'ping-rp');
        expect(tokens.status).toBe(200);
        expect(tokens.body.id_token).toBeDefined();
      } finally {
        endpoint.close();
      }
    });

    it('refuses a login_hint that is not an identifier, and a holder who cannot sign in', async () => {
      const config = await configFor('ciba-rp', oidc.ClientSecretBasic(secrets['ciba-rp']!));
      await expect(
        oidc.initiateBackchannelAuthentication(config, { scope: 'openid', login_hint: 'alice' }),
      ).rejects.toMatchObject({ error: 'invalid_request' });
      await expect(
        oidc.initiateBackchannelAuthentication(config, { scope: 'openid', login_hint: randomUUID() }),
      ).rejects.toMatchObject({ error: expect.stringMatching(/unknown_user_id|access_denied/) });
    });
  });

  describe('refusals', () => {
    it('refuses to finish another browser’s interaction named in the path (its uid), even with a cookie of one’s own', async () => {
      const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
      const victim = await openSignIn(config, 'openid');
      const victimWaiting = await enterIdentifier(victim);
      await phone.login.approve(await requestShownOn(victimWaiting.body), { liveFaceTemplate: phone.face });
      const attacker = await openSignIn(config, 'openid');
      const stolen = await attacker.browser.visit(victimWaiting.url.href.replace(/\/wait$/, '/complete'), atRp);
      expect(stolen.status).toBe(404);
      expect(stolen.body).toContain('session_not_found');
      // The victim still completes their own sign-in.
      const back = await victim.browser.visit(victimWaiting.url.href.replace(/\/wait$/, '/complete'), atRp);
      expect(back.url.searchParams.get('code')).toBeTruthy();
    });

    it('refuses an interaction form without its CSRF token, and an interaction from another browser', async () => {
      const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
      const { browser, page } = await openSignIn(config, 'openid');
      const action = new URL(BrowserSession.action(page.body, '/login'), issuer).href;
      const forged = await browser.submit(action, { csrf: 'forged', tokenId: phone.device.tokenId! }, atRp);
      expect(forged.status).toBe(400);
      const elsewhere = await new BrowserSession().visit(page.url.href, atRp);
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.body).toContain('session_not_found');
    });

    it('says an unknown identifier cannot sign in, without telling unknown from revoked', async () => {
      const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
      const { browser, page, csrf } = await openSignIn(config, 'openid');
      const refused = await browser.submit(
        new URL(BrowserSession.action(page.body, '/login'), issuer).href,
        { csrf, tokenId: randomUUID() },
        atRp,
      );
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('This identifier cannot sign in.');
    });

    it('refuses OIDC settings that do not fit the service (400)', async () => {
      const cases: [string, Record<string, unknown>][] = [
        [
          'private_key_jwt without keys',
          { oidc: { redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'private_key_jwt' } },
        ],
        ['a secret method on a public service', { publicInitiate: true, oidc: { redirectUris: [REDIRECT] } }],
        ['an http redirect URI off localhost', { oidc: { redirectUris: ['http://rp.example/cb'] } }],
        ['CIBA with a pairwise sub', { oidc: { redirectUris: [REDIRECT], ciba: { deliveryMode: 'poll' } } }],
        [
          'CIBA for a client that does not authenticate',
          {
            subjectType: 'public',
            oidc: { redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none', ciba: { deliveryMode: 'poll' } },
          },
        ],
        ['public keys on a publicInitiate service', { publicInitiate: true, publicKeys: [shopKeyJwk] }],
        ['two public keys with one kid', { publicKeys: [shopKeyJwk, shopKeyJwk] }],
        [
          'CIBA ping without an endpoint',
          { subjectType: 'public', oidc: { redirectUris: [REDIRECT], ciba: { deliveryMode: 'ping' } } },
        ],
        ['a redirect URI with a fragment', { oidc: { redirectUris: ['https://rp.example/cb#x'] } }],
      ];
      for (const [name, extra] of cases) {
        const response = await admin('/admin/services', {
          serviceId: `bad-${randomUUID().slice(0, 8)}`,
          name,
          url: 'https://rp.example',
          allowedScopes: ['identity:basic'],
          defaultScopes: [],
          ...extra,
        });
        expect({ name, status: response.status }).toEqual({ name, status: 400 });
      }
    });

    it('refuses a redirect_uri that is not registered (no redirect, an error page)', async () => {
      const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: 'https://evil.example/cb',
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const page = await new BrowserSession().visit(url.href, (u) => u.origin === 'https://evil.example');
      expect(page.status).toBe(400);
      expect(page.body).toContain('invalid_redirect_uri');
    });

    it('refuses PKCE plain, and a wrong verifier at the token endpoint', async () => {
      const config = await configFor('basic-rp', oidc.ClientSecretBasic(secrets['basic-rp']!));
      const plain = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'plain',
      });
      const refused = await new BrowserSession().visit(plain.href, atRp);
      // Sent back to the client with the error, never to the sign-in page.
      expect(refused.url.searchParams.get('error')).toBe('invalid_request');
      // A code redeemed with another verifier is refused.
      const opened = await openSignIn(config, 'openid');
      const waiting = await enterIdentifier(opened);
      const request = await requestShownOn(waiting.body);
      await phone.login.approve(request!, { liveFaceTemplate: phone.face });
      const back = await opened.browser.visit(waiting.url.href.replace(/\/wait$/, '/complete'), atRp);
      await expect(
        oidc.authorizationCodeGrant(config, back.url, {
          pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
          expectedState: opened.state,
        }),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
    });

    it('lets a browser call the token endpoint only from an origin of the client’s redirect URIs (CORS)', async () => {
      const call = (origin: string) =>
        fetch(`${issuer}/oidc/token`, {
          method: 'POST',
          headers: {
            origin,
            authorization: `Basic ${Buffer.from(`basic-rp:${secrets['basic-rp']}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT }).toString(),
        });
      const allowed = await call('https://rp.example');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://rp.example');
      const foreign = await call('https://evil.example');
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('refuses a wrong client secret and an unknown client at the token endpoint', async () => {
      for (const [clientId, secret] of [
        ['basic-rp', 'wrong'],
        [`nobody-${randomUUID()}`, 'x'],
      ] as const) {
        const response = await fetch(`${issuer}/oidc/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT }).toString(),
        });
        expect(response.status).toBe(401);
        expect(((await response.json()) as { error: string }).error).toBe('invalid_client');
      }
    });
  });
});

describe('OIDC discovery behind an https issuer', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startTestApp({ ISSUER_URL: 'https://id.example:8443' });
  });
  afterAll(async () => server?.close());

  it('names the issuer byte for byte and every endpoint under it, whatever forwarded headers say', async () => {
    const response = await fetch(`${server.baseUrl}/.well-known/openid-configuration`, {
      headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
    });
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe('https://id.example:8443');
    const urls = Object.entries(metadata).filter(([name]) => name.endsWith('_endpoint') || name === 'jwks_uri');
    expect(urls.length).toBeGreaterThanOrEqual(8);
    for (const [name, value] of urls)
      expect({ name, value }).toEqual({ name, value: expect.stringMatching(/^https:\/\/id\.example:8443\//) });
  });
});
