import type { EphemeralStore, Unsubscribe } from '#idtoken/platform';

/** The ephemeral-store channel every node listens on for token-key changes (REDIS_PREFIX applies). */
export const KEYS_CHANGED_CHANNEL = 'keys:changed';

/**
 * Tells every node that the token keys changed (a rotation), so each reloads at once instead of at the end of its
 * cache lifetime. Subscribing runs in the background: a store that is down must not stop the boot (readiness
 * reports the store), and nodes fall back to the cache lifetime meanwhile.
 */
export class KeyChanges {
  private unsubscribe: Unsubscribe | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: EphemeralStore,
    private readonly onChange: () => void,
    private readonly options: { warn?: (message: string) => void; retryMs?: number } = {},
  ) {}

  /** Resolves after the first attempt to subscribe, successful or not. */
  start(): Promise<void> {
    this.stopped = false;
    return this.subscribe(false);
  }

  async publish(): Promise<void> {
    await this.store.publish(KEYS_CHANGED_CHANNEL, 'token-keys');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    await unsubscribe?.();
  }

  private async subscribe(failedBefore: boolean): Promise<void> {
    try {
      // Any message means "reload": there is one kind of change, and a newer node's message must not be ignored.
      const unsubscribe = await this.store.subscribe(KEYS_CHANGED_CHANNEL, () => this.onChange());
      if (this.stopped) return await unsubscribe();
      this.unsubscribe = unsubscribe;
      // Whatever was published while we were not listening.
      if (failedBefore) this.onChange();
    } catch (error) {
      this.options.warn?.(
        `cannot subscribe to ${KEYS_CHANGED_CHANNEL} (${error instanceof Error ? error.message : String(error)}); ` +
          'token keys are reloaded at their cache lifetime until it works',
      );
      if (!this.stopped) {
        this.retryTimer = setTimeout(() => void this.subscribe(true), this.options.retryMs ?? 5_000).unref();
      }
    }
  }
}
