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
    const key = `ratelimit:${bucket}`;
    const count = await this.store.increment(key, windowMs);
    if (count <= limit) return;
    this.metrics?.rateLimited.inc({ limit: bucket.split(':')[0] ?? bucket });
    // Retry-After: what is left of the current fixed window, not the whole window.
    const left = (await this.store.remainingTtl(key)) ?? windowMs;
    throw new DomainError('rate_limited', `Too many requests: at most ${limit} per ${Math.round(windowMs / 1000)} s`, {
      retryAfter: Math.max(1, Math.ceil(left / 1000)),
    });
  }
}
