import type { AuthRequestMessage, PushOutcome, PushRecipient } from './push-message.js';

/**
 * The push port (spec §6.3). Each adapter is one delivery channel; the dispatcher sends to every configured one.
 * `send` resolves with an outcome and does not reject for delivery failures: the session goes on without the push.
 */
export interface PushSender {
  readonly channel: 'fcm' | 'inbox';
  send(recipient: PushRecipient, message: AuthRequestMessage): Promise<PushOutcome>;
  /** Releases connections at shutdown. */
  close?(): Promise<void>;
}
