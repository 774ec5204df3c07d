import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { MetricsRegistry } from '#idtoken/platform';
import type { AuthRequestMessage, PushOutcome, PushRecipient } from './push-message.js';
import type { PushSender } from './push-sender.js';

/** One channel's outcome for one message. */
export interface ChannelOutcome {
  channel: PushSender['channel'];
  outcome: PushOutcome;
}

/**
 * Sends each login request to every configured channel (spec §6.3: FCM and the device inbox may both be on).
 * Never throws: a push failure is logged and counted, and the session goes on (the user can still open the app).
 * The inbox is awaited — it is one store write, and a device polling right after initiate must find the request —
 * while FCM, a call to Google, runs in the background so its latency is not the relying party's.
 */
export class PushDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger(PushDispatcher.name);
  private readonly sent: Counter<'channel' | 'outcome'>;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    readonly senders: readonly PushSender[],
    metrics: MetricsRegistry,
  ) {
    this.sent = new Counter({
      name: 'idtoken_push_total',
      help: 'Login requests pushed to devices, by channel (fcm, inbox) and outcome (sent, skipped, failed)',
      labelNames: ['channel', 'outcome'],
      registers: [metrics.registry],
    });
  }

  /** Resolves once the local channels have the message; remote ones finish later (see {@link settled}). */
  async dispatch(recipient: PushRecipient, message: AuthRequestMessage): Promise<ChannelOutcome[]> {
    const local: Promise<ChannelOutcome>[] = [];
    for (const sender of this.senders) {
      const sending = this.sendOne(sender, recipient, message);
      if (sender.channel === 'inbox') local.push(sending);
      else this.track(sending);
    }
    return Promise.all(local);
  }

  /** Waits for background sends (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.settled();
    await Promise.allSettled(this.senders.map((sender) => sender.close?.()));
  }

  private async sendOne(
    sender: PushSender,
    recipient: PushRecipient,
    message: AuthRequestMessage,
  ): Promise<ChannelOutcome> {
    let outcome: PushOutcome;
    try {
      outcome = await sender.send(recipient, message);
    } catch (error) {
      // The port says senders do not throw; one that does still cannot fail a session.
      outcome = { status: 'failed', reason: 'sender_error', detail: error instanceof Error ? error.message : '' };
    }
    this.sent.inc({ channel: sender.channel, outcome: outcome.status });
    if (outcome.status === 'failed') {
      // Never the message itself: it carries the OTP.
      this.logger.warn(
        `push via ${sender.channel} failed for session ${message.sessionId}: ${outcome.reason}` +
          (outcome.detail ? ` (${outcome.detail})` : ''),
      );
    }
    return { channel: sender.channel, outcome };
  }

  private track(sending: Promise<unknown>): void {
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }
}
