import { createHmac, timingSafeEqual } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { io } from 'socket.io-client';
import { call, problemCode } from './http-call.js';

/** spec §6.1 answer, as the relying party's page holds it. */
export interface StartedSession {
  sessionId: string;
  autoPassword: string;
  wsToken: string;
  random: string;
  expiresAt: string;
}

/** How the page's wait ended. */
export type PageEnd =
  | { kind: 'approved'; via: 'socket' | 'poll' }
  | { kind: 'rejected'; reason: string }
  | { kind: 'expired' }
  /** A clear refusal: a problem+json code from the status endpoint. */
  | { kind: 'refused'; status: number; code: string }
  /** Not a defined state: nothing terminal by the deadline, an approval that fails its checks, an odd answer. */
  | { kind: 'undefined'; detail: string };

type SocketEnd = { terminal: PageEnd } | { refused: string } | { dropped: string } | { silent: true };

/**
 * The relying party's login page (spec §6.4): a `/session` socket, and when it is refused or drops, the status
 * endpoint of whichever node answers, then the socket again — like a browser behind a load balancer whose node went
 * away. `onOtp` gets each `otp_ready`. Ends with the session's terminal state, or `undefined` at the deadline.
 */
export async function watchSession(parts: {
  nodes: string[];
  session: StartedSession;
  origin: string;
  onOtp: (otp: string) => void;
  /** Told of each socket the page opens after its first (a reconnection, possibly to another node). */
  onReconnect?: (node: string) => void;
  deadline: number;
}): Promise<PageEnd> {
  const { nodes, session, deadline } = parts;
  for (let attempt = 0; Date.now() < deadline; attempt += 1) {
    const node = nodes[attempt % nodes.length]!;
    if (attempt > 0) parts.onReconnect?.(node);
    const socket = await socketOnce(node, parts);
    if ('terminal' in socket) return socket.terminal;
    // Refused, dropped or silent: ask the status endpoint (spec §6.4 fallback).
    const polled = await call(`${node}/auth/sessions/${session.sessionId}`, {
      headers: { authorization: `Bearer ${session.wsToken}` },
    });
    if (polled.answered && polled.status === 200) {
      const status = polled.body as { status?: string; reason?: string; jwt?: string; hash?: string; random?: string };
      if (status.status === 'approved') return checkedApproval(session, status, 'poll');
      if (status.status === 'rejected') return { kind: 'rejected', reason: String(status.reason) };
      if (status.status === 'expired') return { kind: 'expired' };
      if (status.status !== 'pending') return { kind: 'undefined', detail: `status answered ${status.status}` };
    } else if (polled.answered && polled.status < 500) {
      const code = problemCode(polled);
      if (!code) return { kind: 'undefined', detail: `status answered ${polled.status} without a code` };
      return { kind: 'refused', status: polled.status, code };
    } else if (polled.answered && !problemCode(polled)) {
      return { kind: 'undefined', detail: `status answered ${polled.status} without a code` };
    } else if (!polled.answered && polled.error === 'timeout') {
      return { kind: 'undefined', detail: `status endpoint of ${node} did not answer` };
    }
    // Pending, a 5xx problem (a dependency is down) or a node that is gone: wait a moment and try again.
    await delay(1_000);
  }
  return { kind: 'undefined', detail: 'no terminal state by the deadline' };
}

/** One socket's life: a terminal event, a refused handshake, a drop, or silence until the deadline. */
function socketOnce(
  node: string,
  parts: { session: StartedSession; origin: string; onOtp: (otp: string) => void; deadline: number },
): Promise<SocketEnd> {
  const { session } = parts;
  return new Promise((resolve) => {
    const socket = io(`${node}/session`, {
      transports: ['websocket'],
      auth: { sessionId: session.sessionId, wsToken: session.wsToken },
      extraHeaders: { origin: parts.origin },
      reconnection: false,
      forceNew: true,
      timeout: 10_000,
    });
    const timer = setTimeout(() => end({ silent: true }), Math.max(0, parts.deadline - Date.now()));
    const end = (value: SocketEnd) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.close();
      resolve(value);
    };
    socket.on('otp_ready', (payload: { otp: string }) => parts.onOtp(payload.otp));
    socket.once('approved', (payload: { sessionId: string; jwt: string; hash: string; random: string }) =>
      end({ terminal: payload.sessionId === session.sessionId ? checkedApproval(session, payload, 'socket') : odd() }),
    );
    socket.once('rejected', (payload: { reason: string }) =>
      end({ terminal: { kind: 'rejected', reason: payload.reason } }),
    );
    socket.once('expired', () => end({ terminal: { kind: 'expired' } }));
    socket.once('connect_error', (error: Error) => end({ refused: error.message }));
    socket.once('disconnect', (reason: string) => end({ dropped: reason }));
  });
}

function odd(): PageEnd {
  return { kind: 'undefined', detail: 'approved for another session' };
}

/** spec §6.4: what a relying party checks before trusting an approval — the random, and the HMAC under wsToken. */
function checkedApproval(
  session: StartedSession,
  approval: { jwt?: string; hash?: string; random?: string },
  via: 'socket' | 'poll',
): PageEnd {
  if (approval.random !== session.random || !approval.jwt || !approval.hash) {
    return { kind: 'undefined', detail: 'approval without the session random, jwt or hash' };
  }
  const expected = createHmac('sha256', Buffer.from(session.wsToken, 'base64url'))
    .update(`approved|${session.sessionId}|${session.random}|${approval.jwt}`)
    .digest();
  const received = Buffer.from(approval.hash, 'base64url');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { kind: 'undefined', detail: 'approval hash does not verify' };
  }
  return { kind: 'approved', via };
}
