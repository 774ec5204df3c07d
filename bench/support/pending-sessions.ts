import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { postJson, RequestFailed } from './http.js';
import type { BenchService, Phone } from './population.js';
import { Tally } from './stats.js';

/** spec §6.1 answer: what a waiting browser page uses of it. */
interface Initiated {
  sessionId: string;
  autoPassword: string;
  wsToken: string;
  /** ISO 8601, 60 s after the initiate. */
  expiresAt: string;
}

/** Where and for whom to open the pending sessions. */
export interface PendingSessionsPlan {
  /** The server that takes both the initiates and the sockets. */
  baseUrl: string;
  service: BenchService;
  /** Enrolled phones' tokenIds: session i is for tokenIds[i mod n]. */
  tokenIds: string[];
  sessions: number;
  /** Sessions being opened at once during the ramp (initiate, then socket until `otp_ready`). */
  batch: number;
}

/** How the ramp went: every session that was opened and got its socket, and how long each step took. */
export interface RampOutcome {
  seconds: number;
  /** Initiates answered 200. */
  initiated: number;
  /** Sockets that received `otp_ready` with the session's code. */
  connected: number;
  initiateMs: number[];
  otpReadyMs: number[];
  /** Epoch ms at which the first opened session expires (spec §6.1: 60 s): holding all of them ends before. */
  firstExpiryMs: number;
}

/** The enrolled phones' tokenIds, which the sessions take in turn. */
export function tokenIdsOf(phones: Phone[]): string[] {
  return phones.map((phone, index) => {
    const { tokenId } = phone.device;
    if (tokenId === undefined) throw new Error(`phone ${index} has no tokenId: it was not enrolled`);
    return tokenId;
  });
}

/** A socket that does not get `otp_ready` within this fails its session. */
const OTP_READY_TIMEOUT_MS = 10_000;

/** A session that failed to open, named for the error tally. */
class OpenFailure extends Error {
  override readonly name = 'OpenFailure';
}

/**
 * Pending login sessions held open by their browsers (spec §6.1, §6.4): each opened with `POST /auth/initiate` and a
 * `/session` socket that receives `otp_ready` and then stays connected, waiting for a result that never comes.
 */
export class PendingSessions {
  /** Failures to open, and sockets closed by the server while held, by kind. */
  readonly errors = new Tally();
  private readonly held = new Set<Socket>();
  private most = 0;
  private closing = false;

  constructor(private readonly plan: PendingSessionsPlan) {}

  /** Sockets connected now. */
  get connected(): number {
    return this.held.size;
  }

  /** The most sockets that were connected at once so far. */
  get mostConnected(): number {
    return this.most;
  }

  /** Opens `sessions`, `batch` at a time; `onProgress` after each session, opened or failed. */
  async ramp(onProgress: (done: number) => void = () => undefined): Promise<RampOutcome> {
    const { sessions, batch } = this.plan;
    const outcome: RampOutcome = {
      seconds: 0,
      initiated: 0,
      connected: 0,
      initiateMs: [],
      otpReadyMs: [],
      firstExpiryMs: Number.POSITIVE_INFINITY,
    };
    const started = performance.now();
    let next = 0;
    let done = 0;
    const opener = async () => {
      while (next < sessions) {
        const index = next;
        next += 1;
        await this.openOne(index, outcome);
        onProgress((done += 1));
      }
    };
    await Promise.all(Array.from({ length: Math.min(batch, sessions) }, opener));
    outcome.seconds = (performance.now() - started) / 1000;
    return outcome;
  }

  /** Closes every socket from this side; the server sees each browser leave. */
  closeAll(): void {
    this.closing = true;
    for (const socket of this.held) {
      socket.removeAllListeners();
      socket.close();
    }
    this.held.clear();
  }

  private async openOne(index: number, outcome: RampOutcome): Promise<void> {
    const { baseUrl, service, tokenIds } = this.plan;
    const started = performance.now();
    let session: Initiated;
    try {
      session = await postJson<Initiated>(
        `${baseUrl}/auth/initiate`,
        { tokenId: tokenIds[index % tokenIds.length], serviceId: service.serviceId, scopes: service.scopes },
        {
          authorization: `Basic ${Buffer.from(`${service.serviceId}:${service.secret}`).toString('base64')}`,
          // A relying party's user of its own per session (TRUST_PROXY is on).
          'x-forwarded-for': `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
        },
      );
    } catch (error) {
      this.errors.add(
        error instanceof RequestFailed ? `initiate ${error.status} ${error.code}` : `initiate: ${reasonOf(error)}`,
      );
      return;
    }
    const initiated = performance.now();
    outcome.initiated += 1;
    outcome.initiateMs.push(initiated - started);
    outcome.firstExpiryMs = Math.min(outcome.firstExpiryMs, Date.parse(session.expiresAt));

    const socket = io(`${baseUrl}/session`, {
      transports: ['websocket'],
      auth: { sessionId: session.sessionId, wsToken: session.wsToken },
      extraHeaders: { origin: service.origin },
      reconnection: false,
      forceNew: true,
    });
    try {
      const otp = await otpReady(socket);
      if (otp !== session.autoPassword) throw new OpenFailure('otp_ready differs from autoPassword');
    } catch (error) {
      socket.removeAllListeners();
      socket.close();
      this.errors.add(error instanceof OpenFailure ? error.message : `socket: ${reasonOf(error)}`);
      return;
    }
    outcome.otpReadyMs.push(performance.now() - initiated);
    outcome.connected += 1;
    this.hold(socket);
  }

  /** Keeps the socket and tallies its end if the server closes it before we do (e.g. `expired` after 60 s). */
  private hold(socket: Socket): void {
    this.held.add(socket);
    this.most = Math.max(this.most, this.held.size);
    let expired = false;
    socket.once('expired', () => (expired = true));
    socket.once('disconnect', (reason: string) => {
      this.held.delete(socket);
      if (this.closing) return;
      this.errors.add(expired ? 'held socket got expired (60 s passed)' : `held socket closed: ${reason}`);
    });
  }
}

/** The code the socket shows first, or the way it failed; either way its listeners are gone after. */
function otpReady(socket: Socket): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const fail = (kind: string) => {
      finish();
      reject(new OpenFailure(kind));
    };
    const onOtp = (payload: { otp: string }) => {
      finish();
      resolve(payload.otp);
    };
    const onRefused = (error: Error) => fail(`socket refused: ${error.message}`);
    const onClosed = (reason: string) => fail(`socket closed before otp_ready: ${reason}`);
    const onEnded = (payload: { reason?: string }) =>
      fail(`socket ended before otp_ready: ${payload.reason ?? 'expired'}`);
    const timer = setTimeout(() => fail(`no otp_ready within ${OTP_READY_TIMEOUT_MS} ms`), OTP_READY_TIMEOUT_MS);
    const finish = () => {
      clearTimeout(timer);
      socket.off('otp_ready', onOtp);
      socket.off('connect_error', onRefused);
      socket.off('disconnect', onClosed);
      socket.off('rejected', onEnded);
      socket.off('expired', onEnded);
    };
    socket.once('otp_ready', onOtp);
    socket.once('connect_error', onRefused);
    socket.once('disconnect', onClosed);
    socket.once('rejected', onEnded);
    socket.once('expired', onEnded);
  });
}

/** A short, stable name for an unexpected failure: the network error's code when there is one. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return error.message;
}
