import { randomUUID } from 'node:crypto';
import type { Agent } from 'node:http';
import { cert, deleteApp, initializeApp, type App, type ServiceAccount } from 'firebase-admin/app';
import { getMessaging, type Messaging, type TokenMessage } from 'firebase-admin/messaging';
import type { AuthRequestMessage, PushOutcome, PushRecipient } from '../push-message.js';
import type { PushSender } from '../push-sender.js';

export interface FcmPushSenderOptions {
  /** Path to a service-account JSON file, or its parsed content (only without `httpAgent`). */
  serviceAccount: string | ServiceAccount | Record<string, unknown>;
  /** Carries both the OAuth token request and the FCM send (a proxy, or a test's stand-in). Needs a file path. */
  httpAgent?: Agent;
  /** Prefix of this sender's Firebase app name; a random suffix keeps every instance's app apart. */
  appName?: string;
  logger?: { warn(obj: object, msg: string): void };
  /** Epoch milliseconds; the TTL is counted from it. */
  now?: () => number;
}

/**
 * The FCM channel of the push port (spec §6.3), on firebase-admin's HTTP v1 `messages:send`.
 *
 * How firebase-admin 13 routes it: `Messaging.send` is one HTTP/1.1 request through the app's `httpAgent` (only
 * `sendEach` uses HTTP/2, which ignores the agent). The credential, `cert(serviceAccount, httpAgent)`, posts the
 * JWT-bearer token request to https://oauth2.googleapis.com/token through the agent only when it is given a file
 * path: for a parsed object it drops the agent (firebase/firebase-admin-node#2960), so that pair is refused rather
 * than silently bypassing a proxy. `cert()` is memoised per service account (path or JSON), agent ignored: senders
 * sharing an account share the first one's credential and access token.
 */
export class FcmPushSender implements PushSender {
  readonly channel = 'fcm' as const;
  private readonly app: App;
  private readonly messaging: Messaging;
  private closed?: Promise<void>;

  constructor(private readonly options: FcmPushSenderOptions) {
    if (options.httpAgent && typeof options.serviceAccount !== 'string') {
      throw new TypeError('FCM: give the service account as a file path when using httpAgent (firebase-admin#2960)');
    }
    // A copy: firebase-admin writes camelCase aliases into the object it is given.
    const serviceAccount =
      typeof options.serviceAccount === 'string' ? options.serviceAccount : { ...options.serviceAccount };
    this.app = initializeApp(
      { credential: cert(serviceAccount, options.httpAgent), httpAgent: options.httpAgent },
      `${options.appName ?? 'idtoken-fcm'}-${randomUUID()}`,
    );
    this.messaging = getMessaging(this.app);
  }

  async send(recipient: PushRecipient, message: AuthRequestMessage): Promise<PushOutcome> {
    if (!recipient.pushToken) return { status: 'skipped', reason: 'no_push_token' };
    try {
      const id = await this.messaging.send(this.toFcmMessage(recipient.pushToken, message));
      return { status: 'sent', id };
    } catch (error) {
      const reason = firebaseErrorCode(error);
      // FCM's own messages may quote a field's value back: keep the OTP out of outcomes and logs.
      const detail = error instanceof Error ? redact(error.message, message.otp) : undefined;
      this.options.logger?.warn(
        { channel: this.channel, tokenId: recipient.tokenId, sessionId: message.sessionId, reason, detail },
        'FCM push failed',
      );
      return { status: 'failed', reason, detail };
    }
  }

  close(): Promise<void> {
    this.closed ??= deleteApp(this.app);
    return this.closed;
  }

  private toFcmMessage(pushToken: string, message: AuthRequestMessage): TokenMessage {
    const now = this.options.now ?? Date.now;
    return {
      token: pushToken,
      // spec §6.3: data only, never a `notification` block, so the OTP never reaches the lock screen.
      data: { ...message },
      // High priority wakes the app in Doze; an expired OTP is worthless, so FCM may drop it after expiresAt.
      android: { priority: 'high', ttl: Math.max(0, Date.parse(message.expiresAt) - now()) },
      // Apple: priority 10 is an error for a push carrying only content-available; background pushes use 5.
      // iOS throttles them (a few an hour) and may delay them: the device inbox (§6.3) can run alongside FCM.
      apns: {
        headers: { 'apns-push-type': 'background', 'apns-priority': '5' },
        payload: { aps: { contentAvailable: true } },
      },
    };
  }
}

/** firebase-admin's `messaging/…` and `app/…` codes (the latter for credential and token-endpoint failures). */
function firebaseErrorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return 'unknown';
}

function redact(text: string, otp: string): string {
  return otp ? text.replaceAll(otp, '[otp]') : text;
}
