import type { EphemeralStore, Unsubscribe } from '#idtoken/platform';

/** What changed: the revocation list, or (development) the PKI itself. */
export type TrustChange = 'revocations' | 'pki';

/** The ephemeral-store channel every node listens on (REDIS_PREFIX applies). */
export const TRUST_CHANGED_CHANNEL = 'trust:changed';

const CHANGES: readonly TrustChange[] = ['revocations', 'pki'];

export interface TrustChangesOptions {
  warn?: (message: string) => void;
  /** Wait before subscribing again after a failed attempt. */
  retryMs?: number;
}

/**
 * Tells every node when the trust store changed, so caches are invalidated within moments rather than at
 * their maximum age. Subscribing happens in the background: a store that is down must not stop the server
 * from booting (readiness reports the store), and caches fall back to their maximum age meanwhile.
 */
export class TrustChanges {
  private readonly listeners = new Set<(change: TrustChange) => void>();
  private unsubscribe: Unsubscribe | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failedBefore = false;

  constructor(
    private readonly store: EphemeralStore,
    private readonly options: TrustChangesOptions = {},
  ) {}

  onChange(listener: (change: TrustChange) => void): void {
    this.listeners.add(listener);
  }

  /** Resolves after the first attempt to subscribe, successful or not; later attempts run on their own. */
  start(): Promise<void> {
    this.stopped = false;
    return this.subscribe();
  }

  async publish(change: TrustChange): Promise<void> {
    await this.store.publish(TRUST_CHANGED_CHANNEL, JSON.stringify({ change }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    await unsubscribe?.();
  }

  private async subscribe(): Promise<void> {
    try {
      const unsubscribe = await this.store.subscribe(TRUST_CHANGED_CHANNEL, (message) => this.receive(message));
      if (this.stopped) return await unsubscribe();
      this.unsubscribe = unsubscribe;
      // Whatever was published while we were not listening: reload everything once.
      if (this.failedBefore) for (const change of CHANGES) this.emit(change);
    } catch (error) {
      this.failedBefore = true;
      this.options.warn?.(
        `cannot subscribe to ${TRUST_CHANGED_CHANNEL} (${error instanceof Error ? error.message : String(error)}); ` +
          'trust caches fall back to their maximum age until it works',
      );
      if (!this.stopped) {
        this.retryTimer = setTimeout(() => void this.subscribe(), this.options.retryMs ?? 5_000).unref();
      }
    }
  }

  private receive(message: string): void {
    let change: unknown;
    try {
      change = (JSON.parse(message) as { change?: unknown }).change;
    } catch {
      change = undefined;
    }
    // An unknown message (a newer node's?) still means something changed: reload everything.
    if (change === 'revocations' || change === 'pki') this.emit(change);
    else for (const each of CHANGES) this.emit(each);
  }

  private emit(change: TrustChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
