import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { io, type Socket } from 'socket.io-client';

/** What a raw HTTP/1.1 exchange gave back: the status, every header line as sent, and the body. */
export interface RawResponse {
  status: number;
  headerLines: string[];
  body: string;
}

/**
 * Sends `request` byte for byte over TCP — no client library to refuse a CR, an LF or an oversized header first —
 * and reads until the server closes (requests here say `Connection: close`, refusals close anyway).
 */
export function rawHttp(baseUrl: string, request: string): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.end(request, 'latin1'));
    // A guard against a hang, not a speed target.
    socket.setTimeout(30_000, () => socket.destroy(new Error('no answer within 30 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const head = end === -1 ? text : text.slice(0, end);
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1] ?? 0);
      resolve({ status, headerLines, body: end === -1 ? '' : text.slice(end + 4) });
    });
  });
}

/** The RFC 9457 members every problem document of spec §8 carries, plus the instance and request id we add. */
export const PROBLEM_MEMBERS = ['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type'];

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  requestId: string;
  retryAfter?: number;
}

/** Asserts a spec §8 problem+json answer with exactly this status and code; returns the document. */
export async function expectProblem(response: Response, status: number, code: string): Promise<Problem> {
  const text = await response.text();
  expect({ status: response.status, contentType: response.headers.get('content-type'), text }).toMatchObject({
    status,
    contentType: expect.stringMatching(/^application\/problem\+json/),
  });
  const problem = JSON.parse(text) as Problem;
  expect(problem).toMatchObject({
    type: `https://idtoken.dev/problems/${code.replaceAll('_', '-')}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
  });
  return problem;
}

/** How many login sessions the server has opened so far (its own Prometheus counter, read over HTTP). */
export async function sessionsStarted(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('idtoken_sessions_started_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** What a `/session` socket (spec §6.4) got: connected or refused (with socket.io's message), and every event. */
export interface SocketOutcome {
  connected: boolean;
  refusal?: string;
  /** Every server event before the outcome settled, and up to the first one after a connect. */
  events: string[];
}

/**
 * Opens a `/session` socket over a real WebSocket with `origin` as its Origin header (absent when undefined) and
 * resolves at the first of: refused (`connect_error`), or connected and a first server event received.
 */
export function watchSession(
  baseUrl: string,
  auth: { sessionId: string; wsToken: string },
  origin: string | undefined,
): Promise<SocketOutcome> {
  const socket: Socket = io(`${baseUrl}/session`, {
    transports: ['websocket'],
    auth,
    extraHeaders: origin ? { origin } : {},
    reconnection: false,
    forceNew: true,
  });
  const events: string[] = [];
  return new Promise<SocketOutcome>((resolve) => {
    socket.onAny((event: string) => {
      events.push(event);
      resolve({ connected: true, events: [...events] });
    });
    socket.once('connect_error', (error: Error) =>
      resolve({ connected: false, refusal: error.message, events: [...events] }),
    );
  }).finally(() => socket.close());
}

/** The Set-Cookie lines and the cookies a small browser collected, per origin, following redirects by hand. */
export class CookieBrowser {
  readonly setCookieLines: string[] = [];
  private readonly jar = new Map<string, string>();

  cookieHeader(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** GET `url`, following redirects on the same origin; stops at the first page or at a foreign redirect. */
  async visit(url: string): Promise<{ url: URL; status: number; body: string; headers: Headers }> {
    let current = new URL(url);
    for (let hop = 0; hop < 10; hop += 1) {
      const response = await fetch(current, { redirect: 'manual', headers: { cookie: this.cookieHeader() } });
      this.keep(response.headers.getSetCookie());
      const location = response.headers.get('location');
      const next = location ? new URL(location, current) : undefined;
      if (response.status >= 300 && response.status < 400 && next && next.origin === current.origin) {
        current = next;
        continue;
      }
      return { url: current, status: response.status, body: await response.text(), headers: response.headers };
    }
    throw new Error('too many redirects');
  }

  private keep(lines: string[]): void {
    for (const line of lines) {
      this.setCookieLines.push(line);
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
}

/** POSTs an HTML form as a browser would, with exactly the headers given (cookie, Origin, or neither). */
export function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The value of the hidden `csrf` field and the action of the form posting to `…suffix` on a sign-in page. */
export function formOf(html: string, suffix: string): { csrf: string; action: string } {
  const csrf = /name="csrf"[^>]*value="([^"]*)"/.exec(html)?.[1];
  const action = [...html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1]).find((a) => a?.endsWith(suffix));
  if (!csrf || !action) throw new Error(`no sign-in form posting to …${suffix}`);
  return { csrf, action };
}

/** An OIDC authorization request URL (code flow, PKCE S256) for `clientId`. */
export function authorizationUrl(issuer: string, clientId: string, redirectUri: string, extra: object = {}): string {
  const verifier = randomBytes(32).toString('base64url');
  const params = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  });
  return `${issuer}/oidc/auth?${params.toString()}`;
}

/** The response headers a browser's anti-framing and anti-sniffing rules read. */
export function framingHeaders(headers: Headers) {
  return {
    csp: headers.get('content-security-policy'),
    xFrameOptions: headers.get('x-frame-options'),
    nosniff: headers.get('x-content-type-options'),
  };
}
