import { io, type Socket } from 'socket.io-client';
import { FlowFailure } from './oidc-failure.js';

type ChannelEvent = 'otp_ready' | 'approved';

/** A step that takes longer than this fails the flow (sessions live 60 s, spec §6.1). */
const EVENT_TIMEOUT_MS = 10_000;

/**
 * What the waiting page's script opens (spec §6.4): the `/session` socket with the session's `{sessionId,
 * wsToken}`, from the page's origin (the issuer's). Events are listened for from the start and awaited one by one.
 */
export class SessionChannel {
  private readonly socket: Socket;
  private readonly events = new Map<ChannelEvent, Promise<unknown>>();
  private readonly failed: Promise<never>;

  constructor(baseUrl: string, session: { sessionId: string; wsToken: string }, pageOrigin: string) {
    this.socket = io(`${baseUrl}/session`, {
      transports: ['websocket'],
      auth: session,
      extraHeaders: { origin: pageOrigin },
      reconnection: false,
      forceNew: true,
    });
    for (const event of ['otp_ready', 'approved'] as const) {
      this.events.set(event, new Promise((resolve) => this.socket.once(event, resolve)));
    }
    this.failed = new Promise<never>((_resolve, reject) => {
      this.socket.once('rejected', (payload: { reason?: string }) =>
        reject(new FlowFailure(`socket: rejected ${String(payload.reason)}`)),
      );
      this.socket.once('expired', () => reject(new FlowFailure('socket: expired')));
      this.socket.once('connect_error', (error: Error) => reject(new FlowFailure(`socket refused: ${error.message}`)));
      this.socket.once('disconnect', (reason: string) => reject(new FlowFailure(`socket closed: ${reason}`)));
    });
    // Raced in `next`; a failure while nobody waits is reported by the next `next`.
    this.failed.catch(() => undefined);
  }

  async next(event: ChannelEvent): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new FlowFailure(`socket: no ${event} within ${EVENT_TIMEOUT_MS} ms`)),
        EVENT_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.events.get(event), this.failed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.close();
  }
}
