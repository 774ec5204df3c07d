import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet } from 'jose';
import * as oidc from 'openid-client';
import QRCode from 'qrcode';
import {
  SessionVerificationError,
  initiateLogin,
  readSessionStatus,
  verifyApproval,
  type InitiateAnswer,
} from '#idtoken/rp-sdk';
import { DEMO_CSS, VERIFY_AGE_JS, errorPage, homePage, registerPage, signedInPage, verifyAgePage } from './pages.js';

export interface DemoRpSettings {
  /** The IDToken server: its issuer URL, which is also where the shop reaches it. */
  idpUrl: string;
  /** Where browsers reach this shop, e.g. http://localhost:4000 (its OIDC redirect URI is `${publicUrl}/callback`). */
  publicUrl: string;
  /** The shop's service at IDToken: also its OIDC client_id. */
  serviceId: string;
  /** Its serviceSecret: the OIDC client secret (client_secret_basic) and the `/auth/initiate` Basic credential. */
  serviceSecret: string;
  /** What the register page shows (the shop knows its own registration). */
  name?: string;
  scopes?: string[];
}

export interface DemoRp {
  server: Server;
  /** http://host:port once listening. */
  url: string;
  close(): Promise<void>;
}

/** What one browser is doing with the shop, keyed by an opaque cookie. */
interface BrowserState {
  login?: { state: string; codeVerifier: string };
  claims?: Record<string, unknown>;
}

const COOKIE = 'demo_shop';
const STATE_TTL_MS = 10 * 60_000;
const MAX_BROWSERS = 10_000;
/** The shop's own pages are as strict as IDToken's: nothing inline, nothing framed. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

/**
 * A small relying party of IDToken, for people trying it and for the browser tests: "Log in with IDToken" runs the
 * OIDC authorization-code flow with PKCE through openid-client; "Verify I am over 18" runs a claims-only X.1280
 * session through the RP SDK (the QR code on this page, the phone approves, the shop's backend verifies the JWT
 * and the approval hash); "Register with IDToken" shows the shop's Service VDS as a QR code.
 */
export async function startDemoRp(settings: DemoRpSettings, port = 0, host = '127.0.0.1'): Promise<DemoRp> {
  const issuer = new URL(settings.idpUrl);
  let configuration: Promise<oidc.Configuration> | undefined;
  // Discovery on first use, so the shop can start before the IdP answers; forgotten on failure so it is retried.
  const oidcConfiguration = () =>
    (configuration ??= oidc
      .discovery(issuer, settings.serviceId, undefined, oidc.ClientSecretBasic(settings.serviceSecret), {
        execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        configuration = undefined;
        throw error;
      }));
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', issuer));
  const browsers = new Map<string, { state: BrowserState; expires: number }>();
  const ageChecks = new Map<string, { answer: InitiateAnswer; expires: number }>();
  const redirectUri = new URL('/callback', settings.publicUrl).href;

  const browserOf = (request: IncomingMessage, response: ServerResponse): BrowserState => {
    const now = Date.now();
    for (const [key, entry] of browsers) if (entry.expires < now) browsers.delete(key);
    const id = /(?:^|;\s*)demo_shop=([A-Za-z0-9_-]{22})/.exec(request.headers.cookie ?? '')?.[1];
    const known = id ? browsers.get(id) : undefined;
    if (id && known) {
      known.expires = now + STATE_TTL_MS;
      return known.state;
    }
    // Bounded: a client that never keeps the cookie cannot grow the map without end.
    if (browsers.size >= MAX_BROWSERS) browsers.delete(browsers.keys().next().value as string);
    const fresh = randomBytes(16).toString('base64url');
    const entry = { state: {}, expires: now + STATE_TTL_MS };
    browsers.set(fresh, entry);
    response.setHeader('set-cookie', `${COOKIE}=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
    return entry.state;
  };

  const routes: Record<string, (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>> = {
    '/': async (_request, response) => html(response, homePage({ registerUrl: '/register' })),
    '/assets/demo.css': async (_request, response) => asset(response, 'text/css', DEMO_CSS),
    '/assets/verify-age.js': async (_request, response) => asset(response, 'text/javascript', VERIFY_AGE_JS),
    '/login': async (request, response) => {
      const config = await oidcConfiguration();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      browserOf(request, response).login = { state, codeVerifier };
      const authorization = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile',
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        ...(request.headers['accept-language'] ? { ui_locales: uiLocales(request.headers['accept-language']) } : {}),
      });
      redirect(response, authorization.href);
    },
    '/callback': async (request, response, url) => {
      const browser = browserOf(request, response);
      const login = browser.login;
      browser.login = undefined;
      if (!login) return html(response, errorPage('Sign-in expired', 'Start again from the shop.'), 400);
      const config = await oidcConfiguration();
      try {
        const tokens = await oidc.authorizationCodeGrant(
          config,
          new URL(url.pathname + url.search, settings.publicUrl),
          {
            pkceCodeVerifier: login.codeVerifier,
            expectedState: login.state,
          },
        );
        const subject = tokens.claims()?.sub;
        if (!subject) throw new Error('the ID token has no sub');
        browser.claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, subject)) };
        redirect(response, '/account');
      } catch (error) {
        const detail =
          error instanceof oidc.AuthorizationResponseError
            ? `${error.error}: ${error.error_description ?? ''}`
            : (error as Error).message;
        html(response, errorPage('Sign-in did not complete', detail), 400);
      }
    },
    '/account': async (request, response) => {
      const claims = browserOf(request, response).claims;
      if (!claims) return redirect(response, '/');
      html(response, signedInPage(claims));
    },
    '/register': async (_request, response) => {
      const png = await fetch(new URL(`/services/${encodeURIComponent(settings.serviceId)}/vds.png`, issuer));
      if (!png.ok) return html(response, errorPage('Not registered', `IDToken answered ${png.status}`), 502);
      const qrPng = `data:image/png;base64,${Buffer.from(await png.arrayBuffer()).toString('base64')}`;
      html(response, registerPage({ name: settings.name ?? settings.serviceId, qrPng, scopes: settings.scopes ?? [] }));
    },
    '/verify-age': async (_request, response) => {
      const answer = await initiateLogin({
        baseUrl: settings.idpUrl,
        serviceId: settings.serviceId,
        secret: settings.serviceSecret,
        scopes: ['identity:age_over_18'],
      });
      if (!answer.qr) throw new Error('IDToken did not answer a QR code for a claims-only session');
      const checkId = randomBytes(16).toString('base64url');
      const now = Date.now();
      for (const [key, entry] of ageChecks) if (entry.expires < now) ageChecks.delete(key);
      ageChecks.set(checkId, { answer, expires: now + STATE_TTL_MS });
      const qrPng = await QRCode.toDataURL(answer.qr, { errorCorrectionLevel: 'M', margin: 4, scale: 6 });
      html(response, verifyAgePage({ qrPng, checkId, expiresAt: answer.expiresAt }));
    },
  };

  /** GET /verify-age/{checkId}: the check's state, read and verified here, never trusted from the browser. */
  const ageStatus = async (response: ServerResponse, checkId: string) => {
    const check = ageChecks.get(checkId);
    if (!check) return json(response, { status: 'expired' });
    const { answer } = check;
    const status = await readSessionStatus(settings.idpUrl, answer.sessionId, answer.wsToken, fetch);
    if (status.status === 'pending') return json(response, { status: 'pending' });
    ageChecks.delete(checkId);
    if (status.status !== 'approved') {
      return json(response, { status: status.status === 'rejected' ? 'denied' : 'expired' });
    }
    try {
      const { claims } = await verifyApproval(status, {
        sessionId: answer.sessionId,
        wsToken: answer.wsToken,
        random: answer.random,
        issuer: settings.idpUrl,
        audience: settings.serviceId,
        jwks,
      });
      json(response, { status: 'verified', ageOver18: claims.ageOver18 === true });
    } catch (error) {
      // An approval that does not verify proves nothing: the shop says so and trusts none of it.
      if (!(error instanceof SessionVerificationError)) throw error;
      json(response, { status: 'failed', reason: error.code });
    }
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://shop.invalid');
    const route = routes[url.pathname];
    const check = /^\/verify-age\/([A-Za-z0-9_-]{22})$/.exec(url.pathname)?.[1];
    const handle =
      request.method !== 'GET'
        ? async () => html(response, errorPage('Not allowed', 'This shop only answers GET.'), 405)
        : route
          ? () => route(request, response, url)
          : check
            ? () => ageStatus(response, check)
            : async () => html(response, errorPage('Not found', 'There is no such page in this shop.'), 404);
    handle().catch((error: unknown) => {
      if (!response.headersSent) {
        html(response, errorPage('Something went wrong', error instanceof Error ? error.message : String(error)), 502);
      } else response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function html(response: ServerResponse, body: string, status = 200): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  response.end(body);
}

function asset(response: ServerResponse, type: string, body: string): void {
  response.writeHead(200, {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'public, max-age=300',
    'x-content-type-options': 'nosniff',
  });
  response.end(body);
}

function json(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location, 'cache-control': 'no-store' });
  response.end();
}

/** The browser's preferred languages, passed on to IDToken's pages as OIDC `ui_locales`. */
function uiLocales(acceptLanguage: string): string {
  return acceptLanguage
    .split(',')
    .map((part) => part.split(';')[0]?.trim() ?? '')
    .filter((tag) => /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(tag))
    .slice(0, 5)
    .join(' ');
}
