import { createHmac, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { postJson, RequestFailed } from './http.js';
import type { BenchService, Phone } from './population.js';

/** spec §6.1 answer. */
interface Initiated {
  sessionId: string;
  autoPassword: string;
  wsToken: string;
  random: string;
  expiresAt: string;
}

/** spec §6.4 `approved`. */
interface Approved {
  sessionId: string;
  jwt: string;
  hash: string;
  random: string;
  expiresAt: string;
}

/** Milliseconds each step of one successful login took. */
export interface LoginTimings {
  /** `POST /auth/initiate`, request to answer. */
  initiateMs: number;
  /** Initiate answer → `otp_ready` on a new browser socket (connect, handshake checks, first event). */
  otpReadyMs: number;
  /** `POST /auth/verify`, signing excluded, request to answer. */
  verifyMs: number;
  /** Verify answer → `approved` on the browser socket (fan-out through the store's channel). */
  approvedMs: number;
  /** Initiate request → `approved` checked. */
  endToEndMs: number;
}

/** A login that did not end in a checked approval; `kind` groups it in the error tally. */
export class LoginFailure extends Error {
  override readonly name = 'LoginFailure';
  constructor(readonly kind: string) {
    super(kind);
  }
}

/** A step that takes longer than this fails the login (sessions live 60 s, spec §6.1). */
const STEP_TIMEOUT_MS = 10_000;

/** Which server each step goes to: with several nodes, a login's steps land on different ones. */
export interface LoginRoute {
  initiate: string;
  socket: string;
  verify: string;
}

export interface LoginContext {
  route: LoginRoute;
  service: BenchService;
  /** The relying party's view of its user's address, distinct per worker (TRUST_PROXY is on). */
  clientIp: string;
}

/**
 * One whole login over real HTTP and WebSockets (spec §6.1, §6.2, §6.4): the relying party initiates, the browser
 * socket gets `otp_ready`, the phone signs and posts the verify, the browser gets `approved` and checks its hash.
 */
export async function runOneLogin(context: LoginContext, phone: Phone): Promise<LoginTimings> {
  const { route, service } = context;
  const started = performance.now();
  const session = await step('initiate', () =>
    postJson<Initiated>(
      `${route.initiate}/auth/initiate`,
      { tokenId: phone.device.tokenId, serviceId: service.serviceId, scopes: service.scopes },
      {
        authorization: `Basic ${Buffer.from(`${service.serviceId}:${service.secret}`).toString('base64')}`,
        'x-forwarded-for': context.clientIp,
      },
    ),
  );
  const initiated = performance.now();

  const page = new BrowserPage(route.socket, session, service.origin);
  try {
    const shown = await page.next<{ otp: string }>('otp_ready');
    const otpShown = performance.now();
    if (shown.otp !== session.autoPassword) throw new LoginFailure('otp_ready differs from autoPassword');

    // spec §6.2: granted = everything the session asked for.
    const body = phone.login.verifyBody({ sessionId: session.sessionId, otp: shown.otp }, service.scopes);
    const verifyStarted = performance.now();
    const answer = await step('verify', () => postJson<{ status: string }>(`${route.verify}/auth/verify`, body));
    const verified = performance.now();
    if (answer.status !== 'approved') throw new LoginFailure(`verify answered ${answer.status}`);

    const approval = await page.next<Approved>('approved');
    const approved = performance.now();
    checkApproval(session, approval);
    return {
      initiateMs: initiated - started,
      otpReadyMs: otpShown - initiated,
      verifyMs: verified - verifyStarted,
      approvedMs: approved - verified,
      endToEndMs: performance.now() - started,
    };
  } finally {
    page.close();
  }
}

/** spec §6.4: what a relying party checks before trusting an approval (X.1280 anti-forgery). */
function checkApproval(session: Initiated, approval: Approved): void {
  if (approval.sessionId !== session.sessionId) throw new LoginFailure('approved for another session');
  if (approval.random !== session.random) throw new LoginFailure('approved random differs from initiate');
  const expected = createHmac('sha256', Buffer.from(session.wsToken, 'base64url'))
    .update(`approved|${session.sessionId}|${session.random}|${approval.jwt}`)
    .digest();
  const received = Buffer.from(approval.hash, 'base64url');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    throw new LoginFailure('approval hash mismatch');
  }
}

async function step<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RequestFailed) throw new LoginFailure(`${name} ${error.status} ${error.code}`);
    throw new LoginFailure(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The relying party's page: a `/session` socket whose events are awaited one by one. */
class BrowserPage {
  private readonly socket: Socket;
  private readonly events = new Map<string, Promise<unknown>>();
  private readonly failed: Promise<never>;

  constructor(baseUrl: string, session: Initiated, origin: string) {
    this.socket = io(`${baseUrl}/session`, {
      transports: ['websocket'],
      auth: { sessionId: session.sessionId, wsToken: session.wsToken },
      extraHeaders: { origin },
      reconnection: false,
      forceNew: true,
    });
    // Listen before anything can arrive: `otp_ready` comes right after the handshake.
    for (const event of ['otp_ready', 'approved']) {
      this.events.set(event, new Promise((resolve) => this.socket.once(event, resolve)));
    }
    this.failed = new Promise<never>((_resolve, reject) => {
      this.socket.once('rejected', (payload: { reason: string }) =>
        reject(new LoginFailure(`rejected ${payload.reason}`)),
      );
      this.socket.once('expired', () => reject(new LoginFailure('expired')));
      this.socket.once('connect_error', (error: Error) => reject(new LoginFailure(`socket refused: ${error.message}`)));
      this.socket.once('disconnect', (reason: string) => reject(new LoginFailure(`socket closed: ${reason}`)));
    });
    // Raced in `next`; a failure while nobody waits is reported by the next `next`.
    this.failed.catch(() => undefined);
  }

  async next<T>(event: 'otp_ready' | 'approved'): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new LoginFailure(`no ${event} within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    });
    try {
      return (await Promise.race([this.events.get(event), this.failed, timeout])) as T;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.close();
  }
}
