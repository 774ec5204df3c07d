import type { EphemeralStore, Unsubscribe } from './ephemeral-store.js';

const RETRY_MS = 3_000;

export interface HeldSubscriptionOptions {
  /** Called with the channel and the error each time subscribing fails (a retry follows). */
  onRetry?: (channel: string, error: unknown) => void;
  /** Called once the subscription holds after having failed: messages published meanwhile were missed. */
  onRecovered?: () => void;
  retryMs?: number;
}

/**
 * A subscription a node keeps for its whole life. Starting does not wait on it holding (the app must boot and report
 * not-ready while Redis is down): a failed subscribe is retried every few seconds until it holds.
 */
export class HeldSubscription {
  private unsubscribe: Unsubscribe | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: EphemeralStore,
    private readonly channel: string,
    private readonly onMessage: (message: string) => void,
    private readonly options: HeldSubscriptionOptions = {},
  ) {}

  /** Resolves after the first attempt, successful or not; retries go on in the background. */
  start(): Promise<void> {
    this.stopped = false;
    return this.attempt(false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    await unsubscribe?.().catch(() => undefined);
  }

  private async attempt(failedBefore: boolean): Promise<void> {
    try {
      const unsubscribe = await this.store.subscribe(this.channel, this.onMessage);
      if (this.stopped) return void (await unsubscribe().catch(() => undefined));
      this.unsubscribe = unsubscribe;
      if (failedBefore) this.options.onRecovered?.();
    } catch (error) {
      if (this.stopped) return;
      this.options.onRetry?.(this.channel, error);
      this.retryTimer = setTimeout(() => void this.attempt(true), this.options.retryMs ?? RETRY_MS);
      this.retryTimer.unref();
    }
  }
}
