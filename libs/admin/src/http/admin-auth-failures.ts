import { Injectable } from '@nestjs/common';
import { AuditTrail } from '#idtoken/audit';
import { AppConfig, DomainError, EphemeralStore } from '#idtoken/platform';

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
    private readonly store: EphemeralStore,
    private readonly audit: AuditTrail,
    config: AppConfig,
  ) {
    this.limit = config.adminAuthFailureLimitPerMinute;
  }

  async assertAllowed(ip: string): Promise<void> {
    const key = failuresKey(ip);
    if (Number((await this.store.get(key)) ?? 0) < this.limit) return;
    const left = (await this.store.remainingTtl(key)) ?? WINDOW_MS;
    throw new DomainError(
      'rate_limited',
      `Too many failed admin authentications from this address: at most ${this.limit} a minute`,
      { retryAfter: Math.max(1, Math.ceil(left / 1000)) },
    );
  }

  async record(ip: string, reason: AdminAuthFailure, requestId: string): Promise<void> {
    const failures = await this.store.increment(failuresKey(ip), WINDOW_MS);
    await this.audit.record({
      type: 'admin.auth_failed',
      actor: 'anonymous',
      requestId,
      ip,
      data: { reason, failuresThisMinute: failures },
    });
  }
}

const failuresKey = (ip: string): string => `admin-auth-failures:${ip}`;
