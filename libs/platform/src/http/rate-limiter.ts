import { Injectable, Optional } from '@nestjs/common';
import { MetricsRegistry } from '../metrics/metrics.js';
import { DomainError } from '../errors/domain-error.js';
import { EphemeralStore } from '../store/ephemeral-store.js';

/** Fixed-window rate limits on the ephemeral store, so every node counts against the same budget. */
@Injectable()
export class RateLimiter {
  constructor(
    private readonly store: EphemeralStore,
    @Optional() private readonly metrics?: MetricsRegistry,
  ) {}

  /** Counts one attempt in `bucket`; throws `rate_limited` (with Retry-After) past `limit` per `windowMs`. */
  async consume(bucket: string, limit: number, windowMs: number): Promise<void> {
    if ((await this.count(bucket, windowMs)) <= limit) return;
    throw await this.refusal(bucket, limit, windowMs);
  }

  /**
   * For limits on outcomes (failures, say) rather than attempts: throws `rate_limited` when `bucket` has already
   * counted `limit` in its window, counting nothing itself. `count` adds to the bucket once the outcome is known.
   */
  async assertUnder(bucket: string, limit: number, windowMs: number): Promise<void> {
    if (Number((await this.store.get(keyOf(bucket))) ?? 0) < limit) return;
    throw await this.refusal(bucket, limit, windowMs);
  }

  /** Counts one in `bucket` without refusing; the count within the current window. */
  count(bucket: string, windowMs: number): Promise<number> {
    return this.store.increment(keyOf(bucket), windowMs);
  }

  private async refusal(bucket: string, limit: number, windowMs: number): Promise<DomainError> {
    this.metrics?.rateLimited.inc({ limit: bucket.split(':')[0] ?? bucket });
    // Retry-After: what is left of the current fixed window, not the whole window.
    const left = (await this.store.remainingTtl(keyOf(bucket))) ?? windowMs;
    return new DomainError('rate_limited', `Too many requests: at most ${limit} per ${Math.round(windowMs / 1000)} s`, {
      retryAfter: Math.max(1, Math.ceil(left / 1000)),
    });
  }
}

const keyOf = (bucket: string): string => `ratelimit:${bucket}`;
