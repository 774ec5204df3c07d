import type { EphemeralStore, Unsubscribe } from './ephemeral-store.js';

const RETRY_MS = 3_000;

/**
 * A subscription a node keeps for its whole life. Starting does not wait on it (the app must boot and report
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
    private readonly onRetry: (channel: string) => void = () => undefined,
  ) {}

  start(): void {
    this.store.subscribe(this.channel, this.onMessage).then(
      async (unsubscribe) => {
        if (this.stopped) await unsubscribe().catch(() => undefined);
        else this.unsubscribe = unsubscribe;
      },
      () => {
        if (this.stopped) return;
        this.onRetry(this.channel);
        this.retryTimer = setTimeout(() => this.start(), RETRY_MS);
        this.retryTimer.unref();
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.unsubscribe?.().catch(() => undefined);
    this.unsubscribe = undefined;
  }
}
