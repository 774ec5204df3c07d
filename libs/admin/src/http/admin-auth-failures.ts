import { Injectable } from '@nestjs/common';
import { AuditTrail } from '#idtoken/audit';
import { AppConfig, RateLimiter } from '#idtoken/platform';

const WINDOW_MS = 60_000;

/** Why a presented credential failed; never the credential itself. */
export type AdminAuthFailure = 'malformed' | 'unknown_or_revoked';

/**
 * Failed admin authentications, per client IP (docs/decisions.md, "Failed admin authentications"): each is counted
 * for a minute and audited as `admin.auth_failed`; an IP past ADMIN_AUTH_FAILURE_LIMIT_PER_MINUTE is refused before
 * its key is looked at — a right key included, or the refusals would tell a guesser which key was right.
 */
@Injectable()
export class AdminAuthFailures {
  private readonly limit: number;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly audit: AuditTrail,
    config: AppConfig,
  ) {
    this.limit = config.adminAuthFailureLimitPerMinute;
  }

  assertAllowed(ip: string): Promise<void> {
    return this.limiter.assertUnder(bucketOf(ip), this.limit, WINDOW_MS);
  }

  async record(ip: string, reason: AdminAuthFailure, requestId: string): Promise<void> {
    const failures = await this.limiter.count(bucketOf(ip), WINDOW_MS);
    await this.audit.record({
      type: 'admin.auth_failed',
      actor: 'anonymous',
      requestId,
      ip,
      data: { reason, failuresThisMinute: failures },
    });
  }
}

const bucketOf = (ip: string): string => `admin-auth-failures:${ip}`;
