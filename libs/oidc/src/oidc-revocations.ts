import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ENROLLMENT_REVOKED_CHANNEL } from '#idtoken/enrollment';
import { EphemeralStore, HeldSubscription } from '#idtoken/platform';
import { OidcModelEntity } from './adapter/oidc-model.entity.js';
import { OidcProviderHost } from './oidc-provider.host.js';

/** One node handles each revocation; the others see the mark and skip it. */
const HANDLED_MS = 60_000;

interface BackchannelClient {
  backchannelLogout(sub: string, sid: string): Promise<void>;
}

interface SessionPayload {
  accountId?: string;
  authorizations?: Record<string, { sid?: string; grantId?: string }>;
}

/**
 * A revoked enrollment (spec §4) ends its OIDC life too: every session of that holder is destroyed, every grant and
 * the tokens issued under it are revoked (refresh and access tokens stop working at once), and each client that
 * registered a back-channel logout URI receives a logout token (OIDC Back-Channel Logout 1.0) for its session.
 */
@Injectable()
export class OidcRevocations implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OidcRevocations.name);
  private readonly subscription: HeldSubscription;
  /** Handlers still running: a node that stops (or an operator command that ends) finishes them first. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly host: OidcProviderHost,
    private readonly dataSource: DataSource,
    private readonly store: EphemeralStore,
  ) {
    this.subscription = new HeldSubscription(
      store,
      ENROLLMENT_REVOKED_CHANNEL,
      (message) => this.track(this.onRevoked(message)),
      { onRetry: (channel) => this.logger.warn(`${channel} subscription failed; retrying`) },
    );
  }

  onModuleInit(): void {
    this.subscription.start();
  }

  /** Before the database closes: this node may hold the handled-mark of a revocation, so it finishes its work. */
  async onModuleDestroy(): Promise<void> {
    await this.subscription.stop();
    await Promise.allSettled([...this.running]);
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  private async onRevoked(message: string): Promise<void> {
    let tokenId: unknown;
    try {
      tokenId = (JSON.parse(message) as { tokenId?: unknown }).tokenId;
    } catch {
      return;
    }
    if (typeof tokenId !== 'string') return;
    try {
      if (!(await this.store.putIfAbsent(`oidc-revoked:${tokenId}`, '1', HANDLED_MS))) return;
      try {
        await this.endAccount(tokenId);
      } catch (error) {
        // Let the next node (or a later revocation event) try again instead of the mark hiding the failure.
        await this.store.delete(`oidc-revoked:${tokenId}`).catch(() => undefined);
        throw error;
      }
    } catch (error) {
      this.logger.error(`OIDC sessions of a revoked tokenId not ended: ${(error as Error).message}`);
    }
  }

  /** Ends every OIDC session and grant of `tokenId`; returns the number of logout tokens delivered. */
  async endAccount(tokenId: string): Promise<number> {
    const provider = await this.host.provider();
    const models = this.dataSource.getRepository(OidcModelEntity);
    const sessions = await models
      .createQueryBuilder('model')
      .where('model.kind = :kind', { kind: 'Session' })
      .andWhere(`model.payload ->> 'accountId' = :tokenId`, { tokenId })
      .getMany();
    let delivered = 0;
    for (const session of sessions) {
      const payload = session.payload as SessionPayload;
      for (const [clientId, authorization] of Object.entries(payload.authorizations ?? {})) {
        const client = await provider.Client.find(clientId);
        if (!client?.backchannelLogoutUri || !authorization.sid) continue;
        try {
          // oidc-provider's Client#backchannelLogout (missing from its type definitions).
          // The account's sub: oidc-provider makes it pairwise for a pairwise client, as in the ID token.
          await (client as unknown as BackchannelClient).backchannelLogout(tokenId, authorization.sid);
          delivered += 1;
        } catch (error) {
          this.logger.warn(`back-channel logout to ${clientId} failed: ${(error as Error).message}`);
        }
      }
    }
    // Grants, and every token, code and session row issued under them; then the holder's sessions themselves.
    const grants = await models
      .createQueryBuilder('model')
      .select('model.id', 'id')
      .where('model.kind = :kind', { kind: 'Grant' })
      .andWhere(`model.payload ->> 'accountId' = :tokenId`, { tokenId })
      .getRawMany<{ id: string }>();
    for (const { id } of grants) {
      await models.delete({ grantId: id });
      await models.delete({ kind: 'Grant', id });
    }
    for (const session of sessions) await models.delete({ kind: 'Session', id: session.id });
    return delivered;
  }
}
