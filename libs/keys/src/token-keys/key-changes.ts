import { HeldSubscription, type EphemeralStore } from '#idtoken/platform';

/** The ephemeral-store channel every node listens on for token-key changes (REDIS_PREFIX applies). */
export const KEYS_CHANGED_CHANNEL = 'keys:changed';

/**
 * Tells every node that the token keys changed (a rotation), so each reloads at once instead of at the end of its
 * cache lifetime. Subscribing runs in the background: a store that is down must not stop the boot (readiness
 * reports the store), and nodes fall back to the cache lifetime meanwhile.
 */
export class KeyChanges {
  private readonly subscription: HeldSubscription;

  constructor(
    private readonly store: EphemeralStore,
    onChange: () => void,
    options: { warn?: (message: string) => void; retryMs?: number } = {},
  ) {
    // Any message means "reload": there is one kind of change, and a newer node's message must not be ignored.
    this.subscription = new HeldSubscription(store, KEYS_CHANGED_CHANNEL, () => onChange(), {
      retryMs: options.retryMs ?? 5_000,
      // Whatever was published while we were not listening.
      onRecovered: onChange,
      onRetry: (channel, error) =>
        options.warn?.(
          `cannot subscribe to ${channel} (${error instanceof Error ? error.message : String(error)}); ` +
            'token keys are reloaded at their cache lifetime until it works',
        ),
    });
  }

  /** Resolves after the first attempt to subscribe, successful or not. */
  start(): Promise<void> {
    return this.subscription.start();
  }

  async publish(): Promise<void> {
    await this.store.publish(KEYS_CHANGED_CHANNEL, 'token-keys');
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }
}
