import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { AtomicScope, Scope } from '#idtoken/claims';
import type { EnrollmentEntity } from '#idtoken/enrollment';
import { TokenKeys } from '#idtoken/keys';
import { AppConfig, DomainError } from '#idtoken/platform';
import { pairwiseSubject } from '../derivation/index.js';
import type { SessionRecord } from '../session-record.js';
import { sessionTokenClaims, type SessionTokenClaims } from './session-token-claims.js';

/** Issues the direct-API JWT of an approved session (spec §7), signed by the current token key (ES256). */
@Injectable()
export class SessionTokenIssuer implements OnModuleInit {
  private keys: TokenKeys | undefined;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly config: AppConfig,
  ) {}

  /**
   * KeysModule is a dynamic module configured once in app.module.ts; importing it here would build a second key
   * service, so the one instance is looked up (docs/decisions.md "Sessions").
   */
  onModuleInit(): void {
    this.keys = this.moduleRef.get(TokenKeys, { strict: false });
  }

  async issue(
    session: SessionRecord,
    holder: EnrollmentEntity,
    grant: { granted: Scope[]; atomic: AtomicScope[] },
    now: Date,
  ): Promise<{ jwt: string; claims: SessionTokenClaims }> {
    // spec §7: sub is the tokenId the relying party already knew; otherwise (claims-only) pairwise.
    const subject = session.tokenId ?? pairwiseSubject(this.config.masterSecret, session.serviceId, holder.tokenId);
    const claims = sessionTokenClaims({
      issuer: this.config.issuerUrl,
      subject,
      serviceId: session.serviceId,
      sessionId: session.sessionId,
      issuedAt: Math.floor(now.getTime() / 1000),
      lifetimeSeconds: session.tokenLifetimeSeconds,
      jti: randomUUID(),
      granted: grant.granted,
      atomic: grant.atomic,
      holder: { ...holder.claims, trustLevel: holder.trustLevel },
    });
    if (!this.keys) throw new DomainError('service_unavailable', 'Token keys are not ready');
    return { jwt: await this.keys.signJwt(claims), claims };
  }
}
