import { createRemoteJWKSet, customFetch } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { endpoint, type FetchLike } from './http.js';
import { readSessionStatus, startPolling, type RejectionReason, type SessionStatusAnswer } from './session-status.js';
import { verifyApproval, type ApprovalExpectations, type VerifiedClaims } from './verify-approval.js';

export interface WatchSessionOptions {
  /** The IDToken server, e.g. `https://id.example`. */
  baseUrl: string;
  /** sessionId, wsToken and random exactly as initiate returned them. */
  sessionId: string;
  wsToken: string;
  random: string;
  /** The server's issuer URL, byte-exact (the JWT's `iss`). */
  issuer: string;
  /** Your serviceId (the JWT's `aud`). */
  audience: string;
  /** Default: `{baseUrl}/.well-known/jwks.json`. */
  jwksUrl?: string;
  /** `otp_ready`: the code to show next to "check that your phone shows the same". */
  onOtp?: (otp: string, expiresAt: string) => void;
  /** Aborting closes the socket and timers and rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Polling fallback period. Default 1000. */
  pollIntervalMs?: number;
  /** socket.io-client transports, e.g. `['websocket']`. Default: socket.io's. */
  transports?: ('polling' | 'websocket' | 'webtransport')[];
  /** `false`: no socket at all, poll from the start. */
  socket?: boolean;
  /** Where the socket.io server listens when not at baseUrl (a reverse proxy, say). */
  socketUrl?: string;
  fetch?: FetchLike;
}

export type SessionOutcome =
  | { status: 'approved'; jwt: string; claims: VerifiedClaims }
  | { status: 'rejected'; reason: RejectionReason }
  | { status: 'expired' };

/** spec §6.4 server → browser events (each also carries `sessionId`). */
interface SessionEvents {
  otp_ready: (payload: { otp: string; expiresAt: string }) => void;
  approved: (payload: unknown) => void;
  rejected: (payload: { reason: RejectionReason }) => void;
  expired: () => void;
}

const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * spec §6.4: waits for the outcome of a session in the browser (or Node). Listens on the socket.io namespace
 * `/session`; when the socket cannot connect or drops, polls `GET /auth/sessions/{sessionId}` instead. An approval,
 * from either channel, resolves only after every check of verifyApproval passed; otherwise the promise rejects
 * with SessionVerificationError. Problem answers of the server reject with IdTokenError.
 */
export function watchSession(options: WatchSessionOptions): Promise<SessionOutcome> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as unknown);
  const send = options.fetch ?? globalThis.fetch;
  const expected: ApprovalExpectations = {
    sessionId: options.sessionId,
    wsToken: options.wsToken,
    random: options.random,
    issuer: options.issuer,
    audience: options.audience,
    jwks: createRemoteJWKSet(
      new URL(options.jwksUrl ?? endpoint(options.baseUrl, '/.well-known/jwks.json')),
      options.fetch ? { [customFetch]: options.fetch } : undefined,
    ),
  };

  return new Promise<SessionOutcome>((resolve, reject) => {
    let done = false;
    /** An approval arrived: it alone decides, whatever the channels say afterwards. */
    let deciding = false;
    let socket: Socket<SessionEvents> | undefined;
    let poller: { stop(): void } | undefined;

    const closeChannels = (): void => {
      socket?.removeAllListeners();
      socket?.close();
      socket = undefined;
      poller?.stop();
      poller = undefined;
    };
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      closeChannels();
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const settle = (outcome: SessionOutcome): void => {
      if (finish()) resolve(outcome);
    };
    const fail = (error: unknown): void => {
      if (finish()) reject(error);
    };
    function onAbort(): void {
      fail(signal?.reason);
    }

    const onApproved = (approval: unknown): void => {
      if (done || deciding) return;
      deciding = true;
      closeChannels();
      verifyApproval(approval, expected).then(({ jwt, claims }) => settle({ status: 'approved', jwt, claims }), fail);
    };
    const onAnswer = (answer: SessionStatusAnswer): void => {
      switch (answer.status) {
        case 'approved':
          return onApproved(answer);
        case 'rejected':
          return settle({ status: 'rejected', reason: answer.reason as RejectionReason });
        case 'expired':
          return settle({ status: 'expired' });
        default:
          return fail(new TypeError(`unexpected session status ${JSON.stringify(answer.status)}`));
      }
    };

    const fallBackToPolling = (): void => {
      if (done || deciding || poller) return;
      socket?.removeAllListeners();
      socket?.close();
      socket = undefined;
      poller = startPolling({
        read: (pollSignal) => readSessionStatus(options.baseUrl, options.sessionId, options.wsToken, send, pollSignal),
        intervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
        onSettled: (answer) => {
          if (!done && !deciding) onAnswer(answer);
        },
        onError: fail,
      });
    };

    const connect = (): void => {
      const opened: Socket<SessionEvents> = io(endpoint(options.socketUrl ?? options.baseUrl, '/session'), {
        auth: { sessionId: options.sessionId, wsToken: options.wsToken },
        reconnection: false,
        forceNew: true,
        ...(options.transports ? { transports: options.transports } : {}),
      });
      socket = opened;
      opened.on('connect_error', fallBackToPolling);
      opened.on('disconnect', fallBackToPolling);
      opened.on('otp_ready', ({ otp, expiresAt }) => {
        try {
          options.onOtp?.(otp, expiresAt);
        } catch (error) {
          fail(error);
        }
      });
      opened.on('approved', onApproved);
      opened.on('rejected', ({ reason }) => settle({ status: 'rejected', reason }));
      opened.on('expired', () => settle({ status: 'expired' }));
    };

    signal?.addEventListener('abort', onAbort, { once: true });
    if (options.socket === false) fallBackToPolling();
    else connect();
  });
}
