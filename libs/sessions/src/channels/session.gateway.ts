import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { EphemeralStore, HeldSubscription } from '#idtoken/platform';
import { eventOfResult, type SessionEvent } from '../session-record.js';
import { SESSION_EVENTS_CHANNEL, SessionStore } from '../session.store.js';
import { sameToken } from '../status/session-status.js';
import { SessionMetrics } from '../session-metrics.js';
import { SessionOrigins } from './session-origins.js';

/** What a `/session` socket carries once its handshake was accepted. */
interface SessionSocketData {
  sessionId: string;
  /** The pending session as the handshake read it, when it had no result yet. */
  admitted?: { otp: string; claimsOnly: boolean };
  /** When the session ends unanswered (Unix seconds), from the session or, for a late socket, its ticket. */
  expiresAt?: number;
  /** The pending session's end when it came before the socket joined (the handshake's read or an event). */
  early?: SessionEvent;
  /** A terminal event (`approved`, `rejected`, `expired`) went out: nothing more is sent. */
  ended?: boolean;
  expiryTimer?: NodeJS.Timeout;
}

/** spec §6.4: server → browser; the browser sends nothing. */
interface SessionServerEvents {
  otp_ready(payload: { sessionId: string; otp: string; expiresAt: string }): void;
  approved(payload: { sessionId: string; jwt: string; hash: string; random: string; expiresAt: string }): void;
  rejected(payload: { sessionId: string; reason: string }): void;
  expired(payload: { sessionId: string }): void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type SessionSocket = Socket<{}, SessionServerEvents, {}, SessionSocketData>;

/** socket.io's `connect_error` message for every refused handshake: reveals nothing to a guesser. */
export const SESSION_REFUSED = 'session_not_found';
export const ORIGIN_REFUSED = 'origin_not_allowed';

/**
 * spec §6.4 browser channel: namespace `/session`, handshake auth `{ sessionId, wsToken }`. Events, each with
 * `sessionId`: `otp_ready {otp, expiresAt}` · `approved {jwt, hash, random, expiresAt}` · `rejected {reason}` ·
 * `expired`. Fan-out: every node subscribes once to the store's `session-events` channel (Redis pub/sub across
 * nodes, in-process otherwise) and emits to its own sockets of that session — no socket.io Redis adapter needed.
 *
 * A socket is watched from the start of its handshake, before anything is read: an event published while the
 * handshake reads is kept for it (`early`), so the handshake reads once — the session and its result together — and
 * the greeting needs no second read.
 */
@Injectable()
@WebSocketGateway({ namespace: '/session' })
export class SessionGateway
  implements
    OnGatewayInit<Namespace>,
    OnGatewayConnection<SessionSocket>,
    OnGatewayDisconnect<SessionSocket>,
    OnModuleInit,
    OnModuleDestroy
{
  private readonly logger = new Logger(SessionGateway.name);
  private readonly events: HeldSubscription;
  /** This node's sockets of each session, from the start of their handshake until their connection closes. */
  private readonly watching = new Map<string, Set<SessionSocket>>();

  constructor(
    private readonly sessions: SessionStore,
    store: EphemeralStore,
    private readonly origins: SessionOrigins,
    private readonly metrics: SessionMetrics,
  ) {
    this.events = new HeldSubscription(store, SESSION_EVENTS_CHANNEL, (message) => this.onEvent(message), {
      onRetry: (channel) => this.logger.warn(`${channel} subscription failed; retrying`),
    });
  }

  /** Subscribes once per process; boot does not wait on it. */
  onModuleInit(): void {
    this.events.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.events.stop();
  }

  /** Refusals happen in the namespace middleware, so the browser gets `connect_error` and never joins. */
  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      this.admit(socket as SessionSocket).then(
        (refusal) => next(refusal === undefined ? undefined : new Error(refusal)),
        (error: unknown) => {
          this.logger.warn(`session socket refused: ${error instanceof Error ? error.message : String(error)}`);
          next(new Error(SESSION_REFUSED));
        },
      );
    });
  }

  handleConnection(socket: SessionSocket): void {
    this.metrics.sockets.inc({ namespace: 'session' });
    this.greet(socket);
  }

  /** What a newly joined socket learns at once: its session's end, or otp_ready and a timer for `expired`. */
  private greet(socket: SessionSocket): void {
    const { sessionId, early, admitted, expiresAt = 0 } = socket.data;
    if (early) return this.deliver(socket, early);
    // spec §6.5: a claims-only session's code is shown only inside its QR, so no `otp_ready` then.
    if (admitted && !admitted.claimsOnly) {
      // The OTP is shown in the browser by design (spec §6.1 autoPassword); it is never logged.
      socket.emit('otp_ready', { sessionId, otp: admitted.otp, expiresAt: isoOfUnix(expiresAt) });
    }
    // Nest may hand the socket over a tick late; handleDisconnect has run then and would not clear a timer set now.
    if (socket.connected) this.armExpiry(socket, expiresAt);
  }

  handleDisconnect(socket: SessionSocket): void {
    this.metrics.sockets.dec({ namespace: 'session' });
    clearTimeout(socket.data.expiryTimer);
    this.unwatch(socket.data.sessionId, socket);
  }

  /** The refusal code, or undefined when the socket may join its session. */
  private async admit(socket: SessionSocket): Promise<string | undefined> {
    const auth = socket.handshake.auth as { sessionId?: unknown; wsToken?: unknown };
    if (typeof auth.sessionId !== 'string' || typeof auth.wsToken !== 'string') return SESSION_REFUSED;
    const { sessionId, wsToken } = auth;
    // Watched before the read: an event published from now on is either in what the read finds or kept as `early`.
    const unwatch = this.watch(sessionId, socket);
    const refusal = await this.check(socket, sessionId, wsToken).catch((error: unknown) => {
      unwatch();
      throw error;
    });
    if (refusal !== undefined) unwatch();
    return refusal;
  }

  private async check(socket: SessionSocket, sessionId: string, wsToken: string): Promise<string | undefined> {
    // Usually the session is pending (the page connects right after initiate) and has no result; a late socket —
    // the session ended or expired — finds its result or, once that is gone too, only its ticket.
    const [session, result] = await Promise.all([
      this.sessions.readSession(sessionId),
      this.sessions.readResult(sessionId),
    ]);
    const ticket = session || result ? undefined : await this.sessions.readTicket(sessionId);
    const expected = session?.wsToken ?? result?.wsToken ?? ticket?.wsToken;
    // Constant time, and an unknown session answers like a wrong token.
    if (!sameToken(expected ?? '', wsToken) || expected === undefined) return SESSION_REFUSED;
    const binding = session
      ? { serviceId: session.serviceId, browserOnly: session.browserOnly === true }
      : await this.sessions.readServiceBinding(sessionId);
    if (!(await this.origins.allowsForService(originHeader(socket), binding))) return ORIGIN_REFUSED;
    socket.data.sessionId = sessionId;
    if (result) socket.data.early ??= eventOfResult(sessionId, result);
    if (session) socket.data.admitted = { otp: session.otp, claimsOnly: session.tokenId === undefined };
    socket.data.expiresAt = session?.expiresAt ?? ticket?.expiresAt;
    return undefined;
  }

  /** Counts `socket` among its session's watchers until its connection closes; returns the way to stop earlier. */
  private watch(sessionId: string, socket: SessionSocket): () => void {
    let sockets = this.watching.get(sessionId);
    if (!sockets) {
      sockets = new Set();
      this.watching.set(sessionId, sockets);
    }
    sockets.add(socket);
    const unwatch = () => this.unwatch(sessionId, socket);
    // The connection, not the socket: a socket whose connection closes before it joins never emits `disconnect`.
    socket.conn.once('close', unwatch);
    return unwatch;
  }

  private unwatch(sessionId: string, socket: SessionSocket): void {
    const sockets = this.watching.get(sessionId);
    if (sockets?.delete(socket) && sockets.size === 0) this.watching.delete(sessionId);
  }

  /** `expired` when a pending session's 60 s pass without a result. */
  private armExpiry(socket: SessionSocket, expiresAtUnix: number): void {
    const { sessionId } = socket.data;
    const fire = async (): Promise<void> => {
      const result = await this.sessions.readResult(sessionId);
      this.deliver(socket, result ? eventOfResult(sessionId, result) : { type: 'expired', sessionId });
    };
    // Without the store the end is unknown: the socket closes, and the browser asks the poll (spec §6.4 fallback).
    const failed = (error: unknown) => {
      this.logger.warn(
        `session ${sessionId} expiry not read: ${error instanceof Error ? error.message : String(error)}`,
      );
      socket.disconnect();
    };
    const delay = Math.max(0, expiresAtUnix * 1000 - Date.now());
    socket.data.expiryTimer = setTimeout(() => void fire().catch(failed), delay);
    socket.data.expiryTimer.unref();
  }

  /** A session event published by any node: to this node's sockets of that session, or kept for those joining. */
  private onEvent(message: string): void {
    let event: SessionEvent;
    try {
      event = JSON.parse(message) as SessionEvent;
    } catch {
      return;
    }
    for (const socket of this.watching.get(event.sessionId) ?? []) {
      if (socket.connected) this.deliver(socket, event);
      else socket.data.early ??= event;
    }
  }

  /** Each socket gets exactly one terminal event. */
  private deliver(socket: SessionSocket, event: SessionEvent | { type: 'expired'; sessionId: string }): void {
    if (socket.data.ended) return;
    socket.data.ended = true;
    clearTimeout(socket.data.expiryTimer);
    switch (event.type) {
      case 'approved': {
        const { sessionId, jwt, hash, random, expiresAt } = event;
        socket.emit('approved', { sessionId, jwt, hash, random, expiresAt });
        break;
      }
      case 'rejected':
        socket.emit('rejected', { sessionId: event.sessionId, reason: event.reason });
        break;
      case 'expired':
        socket.emit('expired', { sessionId: event.sessionId });
        break;
    }
    // Nothing follows a terminal event: the DISCONNECT packet goes after it on the same transport.
    socket.disconnect();
  }
}

function isoOfUnix(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function originHeader(socket: Socket): string | undefined {
  const origin = socket.handshake.headers.origin;
  return typeof origin === 'string' ? origin : undefined;
}
