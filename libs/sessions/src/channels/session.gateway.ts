import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { EphemeralStore, HeldSubscription } from '#idtoken/platform';
import type { SessionEvent, SessionResult } from '../session-record.js';
import { SESSION_EVENTS_CHANNEL, SessionStore } from '../session.store.js';
import { sameToken } from '../status/session-status.js';
import { SessionMetrics } from '../session-metrics.js';
import { SessionOrigins } from './session-origins.js';

/** What a `/session` socket carries once its handshake was accepted. */
interface SessionSocketData {
  sessionId: string;
  /** The pending session as the handshake read it (its code and expiry), when it had no result yet. */
  admitted?: { otp: string; expiresAt: number; claimsOnly: boolean };
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

  @WebSocketServer()
  private namespace!: Namespace;

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

  async handleConnection(socket: SessionSocket): Promise<void> {
    this.metrics.sockets.inc({ namespace: 'session' });
    // Nest does not await this: a store failure must end this socket, never the process.
    try {
      await this.greet(socket);
    } catch (error) {
      this.logger.warn(`session socket dropped: ${(error as Error).message}`);
      socket.disconnect(true);
    }
  }

  /** What a newly joined socket learns at once: the result, or otp_ready and a timer for `expired`. */
  private async greet(socket: SessionSocket): Promise<void> {
    const { sessionId } = socket.data;
    // Join first, then read: an event published meanwhile is either seen here or delivered to the room. The
    // handshake read the session already; only its result can have appeared since (a session ends by its result
    // or, past its expiry, by the timer armed below).
    await socket.join(sessionId);
    const result = await this.sessions.readResult(sessionId);
    if (result) return this.deliver(socket, resultEvent(sessionId, result));
    const session = socket.data.admitted;
    // spec §6.5: a claims-only session's code is shown only inside its QR, so no `otp_ready` then.
    if (session && !session.claimsOnly) {
      // The OTP is shown in the browser by design (spec §6.1 autoPassword); it is never logged.
      socket.emit('otp_ready', { sessionId, otp: session.otp, expiresAt: isoOfUnix(session.expiresAt) });
    }
    const expiresAt = session?.expiresAt ?? (await this.sessions.readTicket(sessionId))?.expiresAt ?? 0;
    // It may have left while we read; handleDisconnect has run then and would not clear a timer set now.
    if (socket.connected) this.armExpiry(socket, expiresAt);
  }

  handleDisconnect(socket: SessionSocket): void {
    this.metrics.sockets.dec({ namespace: 'session' });
    clearTimeout(socket.data.expiryTimer);
  }

  /** The refusal code, or undefined when the socket may join its session. */
  private async admit(socket: SessionSocket): Promise<string | undefined> {
    const auth = socket.handshake.auth as { sessionId?: unknown; wsToken?: unknown };
    if (typeof auth.sessionId !== 'string' || typeof auth.wsToken !== 'string') return SESSION_REFUSED;
    const { sessionId, wsToken } = auth;
    // Usually the session is pending (the page connects right after initiate): one read. A late socket — the session
    // ended or expired — is checked against its result or its ticket instead.
    const session = await this.sessions.readSession(sessionId);
    const [result, ticket] = session
      ? [undefined, undefined]
      : await Promise.all([this.sessions.readResult(sessionId), this.sessions.readTicket(sessionId)]);
    const expected = session?.wsToken ?? result?.wsToken ?? ticket?.wsToken;
    // Constant time, and an unknown session answers like a wrong token.
    if (!sameToken(expected ?? '', wsToken) || expected === undefined) return SESSION_REFUSED;
    const binding = session
      ? { serviceId: session.serviceId, browserOnly: session.browserOnly === true }
      : await this.sessions.readServiceBinding(sessionId);
    if (!(await this.origins.allowsForService(originHeader(socket), binding))) return ORIGIN_REFUSED;
    socket.data.sessionId = sessionId;
    if (session) {
      socket.data.admitted = {
        otp: session.otp,
        expiresAt: session.expiresAt,
        claimsOnly: session.tokenId === undefined,
      };
    }
    return undefined;
  }

  /** `expired` when a pending session's 60 s pass without a result. */
  private armExpiry(socket: SessionSocket, expiresAtUnix: number): void {
    const { sessionId } = socket.data;
    const fire = async (): Promise<void> => {
      const result = await this.sessions.readResult(sessionId);
      this.deliver(socket, result ? resultEvent(sessionId, result) : { type: 'expired', sessionId });
    };
    const delay = Math.max(0, expiresAtUnix * 1000 - Date.now());
    socket.data.expiryTimer = setTimeout(() => void fire().catch(() => undefined), delay);
    socket.data.expiryTimer.unref();
  }

  /** A session event published by any node: to this node's sockets of that session. */
  private onEvent(message: string): void {
    let event: SessionEvent;
    try {
      event = JSON.parse(message) as SessionEvent;
    } catch {
      return;
    }
    const members = this.namespace?.adapter.rooms.get(event.sessionId);
    for (const id of members ?? []) {
      const socket = this.namespace.sockets.get(id) as SessionSocket | undefined;
      if (socket) this.deliver(socket, event);
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

function resultEvent(sessionId: string, result: SessionResult): SessionEvent {
  return result.status === 'approved'
    ? {
        type: 'approved',
        sessionId,
        jwt: result.jwt,
        hash: result.hash,
        random: result.random,
        expiresAt: isoOfUnix(result.expiresAt),
      }
    : { type: 'rejected', sessionId, reason: result.reason };
}

function isoOfUnix(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function originHeader(socket: Socket): string | undefined {
  const origin = socket.handshake.headers.origin;
  return typeof origin === 'string' ? origin : undefined;
}
