import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import { DeviceRequestVerifier, ENROLLMENT_REVOKED_CHANNEL, TokenIdSchema } from '#idtoken/enrollment';
import { DomainError, EphemeralStore, HeldSubscription } from '#idtoken/platform';
import { DEVICE_INBOX_CHANNEL, type AuthRequestMessage, type InboxDelivery } from '#idtoken/push';
import { SessionMetrics } from '../session-metrics.js';
import { PendingRequests } from './pending-requests.js';

interface DeviceSocketData {
  tokenId: string;
  /** Sessions already sent on this socket: a request is in the list and on the channel, and goes out once. */
  sent: Set<string>;
}

/** spec §6.3: server → device; the device answers over REST (`/auth/verify`, `/auth/deny`). */
interface DeviceServerEvents {
  auth_request(message: AuthRequestMessage): void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type DeviceSocket = Socket<{}, DeviceServerEvents, {}, DeviceSocketData>;

const DeviceAuth = z.object({
  tokenId: TokenIdSchema,
  timestamp: z.number().int().nonnegative(),
  signatureBase64: z.string().min(1).max(200),
});

/** Handshake refused for a reason outside the protocol's codes. */
export const DEVICE_REFUSED = 'invalid_request';

/**
 * spec §6.3: namespace `/device`, handshake auth `{ tokenId, timestamp, signatureBase64 }` (spec §5.1 action
 * `inbox`, fields `{}`), streaming `auth_request` events: first the requests still pending, then each new one,
 * whichever node the session was started on (the store's `device-inbox` channel). A revoked enrollment's sockets are
 * disconnected. A refused handshake's `connect_error` message is the spec's error code.
 */
@Injectable()
@WebSocketGateway({ namespace: '/device' })
export class DeviceGateway
  implements
    OnGatewayInit<Namespace>,
    OnGatewayConnection<DeviceSocket>,
    OnGatewayDisconnect<DeviceSocket>,
    OnModuleInit,
    OnModuleDestroy
{
  private readonly logger = new Logger(DeviceGateway.name);
  private readonly subscriptions: HeldSubscription[];

  @WebSocketServer()
  private namespace!: Namespace;

  constructor(
    private readonly verifier: DeviceRequestVerifier,
    private readonly pending: PendingRequests,
    store: EphemeralStore,
    private readonly metrics: SessionMetrics,
  ) {
    const retry = (channel: string) => this.logger.warn(`${channel} subscription failed; retrying`);
    this.subscriptions = [
      new HeldSubscription(store, DEVICE_INBOX_CHANNEL, (message) => this.onDelivery(message), { onRetry: retry }),
      new HeldSubscription(store, ENROLLMENT_REVOKED_CHANNEL, (message) => this.onRevoked(message), { onRetry: retry }),
    ];
  }

  onModuleInit(): void {
    for (const subscription of this.subscriptions) subscription.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.subscriptions.map((subscription) => subscription.stop()));
  }

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      this.admit(socket as DeviceSocket).then(
        () => next(),
        (error: unknown) => {
          if (!(error instanceof DomainError)) this.logger.warn(`device socket refused: ${(error as Error).message}`);
          next(new Error(error instanceof DomainError ? error.code : DEVICE_REFUSED));
        },
      );
    });
  }

  async handleConnection(socket: DeviceSocket): Promise<void> {
    this.metrics.sockets.inc({ namespace: 'device' });
    const { tokenId } = socket.data;
    // Nest does not await this: a store failure must end this socket (the phone reconnects), never the process.
    try {
      // Join first, then read: a request published meanwhile is either in the list or delivered to the room.
      await socket.join(tokenId);
      for (const request of await this.pending.of(tokenId)) send(socket, request);
    } catch (error) {
      this.logger.warn(`device socket dropped: ${(error as Error).message}`);
      socket.disconnect(true);
    }
  }

  handleDisconnect(): void {
    this.metrics.sockets.dec({ namespace: 'device' });
  }

  private async admit(socket: DeviceSocket): Promise<void> {
    const auth = DeviceAuth.safeParse(socket.handshake.auth);
    if (!auth.success) throw new DomainError('invalid_request', 'auth must be { tokenId, timestamp, signatureBase64 }');
    const enrollment = await this.verifier.verify('inbox', auth.data, {});
    socket.data.tokenId = enrollment.tokenId;
    socket.data.sent = new Set();
  }

  private onDelivery(message: string): void {
    const delivery = parseJson<InboxDelivery>(message);
    if (!delivery) return;
    for (const id of this.namespace?.adapter.rooms.get(delivery.tokenId) ?? []) {
      const socket = this.namespace.sockets.get(id) as DeviceSocket | undefined;
      if (socket) send(socket, delivery.message);
    }
  }

  private onRevoked(message: string): void {
    const revoked = parseJson<{ tokenId?: unknown }>(message);
    if (typeof revoked?.tokenId === 'string') this.namespace?.in(revoked.tokenId).disconnectSockets(true);
  }
}

/** Enough to cover every request a phone can have pending (they live 60 s; starts are limited per minute). */
const SENT_REMEMBERED = 200;

function send(socket: DeviceSocket, request: AuthRequestMessage): void {
  const { sent } = socket.data;
  if (sent.has(request.sessionId)) return;
  // Oldest first out (a Set iterates in insertion order), so a long-lived socket's memory stays bounded.
  if (sent.size >= SENT_REMEMBERED) sent.delete(sent.values().next().value as string);
  sent.add(request.sessionId);
  socket.emit('auth_request', request);
}

function parseJson<T>(message: string): T | undefined {
  try {
    return JSON.parse(message) as T;
  } catch {
    return undefined;
  }
}
