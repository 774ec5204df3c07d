import { EphemeralStore } from '#idtoken/platform';
import type { AuthRequestMessage, PushOutcome, PushRecipient } from '../push-message.js';
import type { PushSender } from '../push-sender.js';

/** Every node subscribes once; the `/device` namespace feeds its own sockets of that tokenId (spec §6.3). */
export const DEVICE_INBOX_CHANNEL = 'device-inbox';

/** What goes out on {@link DEVICE_INBOX_CHANNEL}. */
export interface InboxDelivery {
  tokenId: string;
  message: AuthRequestMessage;
}

/** A request outlives its 60 s session by a little, so a slow reader still sees it expire rather than vanish. */
const INBOX_TTL_MS = 90_000;
/**
 * At most this many requests are kept per device: far above what the per-tokenId start limit lets through
 * (INITIATE_PER_TOKEN_LIMIT_PER_MINUTE, 5 by default), so nothing live is dropped, and bounded whatever it is set to.
 */
const INBOX_MAX_ITEMS = 50;

const inboxKey = (tokenId: string): string => `device-inbox:${tokenId}`;

/**
 * The device inbox channel (spec §6.3): login requests kept per tokenId on the ephemeral store, read by
 * `GET /devices/inbox` and streamed on the socket.io namespace `/device` of whichever node the device is on.
 */
export class InboxPushSender implements PushSender {
  readonly channel = 'inbox' as const;

  constructor(private readonly store: EphemeralStore) {}

  async send(recipient: PushRecipient, message: AuthRequestMessage): Promise<PushOutcome> {
    try {
      const delivery: InboxDelivery = { tokenId: recipient.tokenId, message };
      // Issued together (one round trip); the store applies them in this order, so a device that hears of the
      // request finds it in its inbox.
      await Promise.all([
        this.store.append(inboxKey(recipient.tokenId), JSON.stringify(message), INBOX_TTL_MS, INBOX_MAX_ITEMS),
        this.store.publish(DEVICE_INBOX_CHANNEL, JSON.stringify(delivery)),
      ]);
      return { status: 'sent' };
    } catch (error) {
      return { status: 'failed', reason: 'store_unavailable', detail: error instanceof Error ? error.message : '' };
    }
  }

  /** The requests kept for one device, oldest first, that have not expired; the caller drops those already ended. */
  async read(tokenId: string, now: Date = new Date()): Promise<AuthRequestMessage[]> {
    const items = await this.store.readList(inboxKey(tokenId));
    return items
      .map((item) => JSON.parse(item) as AuthRequestMessage)
      .filter((message) => Date.parse(message.expiresAt) > now.getTime());
  }
}
