import { Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { EphemeralStore } from '../store/ephemeral-store.js';

/** Fixed-window rate limits on the ephemeral store, so every node counts against the same budget. */
@Injectable()
export class RateLimiter {
  constructor(private readonly store: EphemeralStore) {}

  /** Counts one attempt in `bucket`; throws `rate_limited` (with Retry-After) past `limit` per `windowMs`. */
  async consume(bucket: string, limit: number, windowMs: number): Promise<void> {
    const count = await this.store.increment(`ratelimit:${bucket}`, windowMs);
    if (count > limit) {
      throw new DomainError(
        'rate_limited',
        `Too many requests: at most ${limit} per ${Math.round(windowMs / 1000)} s`,
        {
          retryAfter: Math.ceil(windowMs / 1000),
        },
      );
    }
  }
}
