import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AtomicScope, Scope } from '#idtoken/claims';
import type { EnrollmentEntity } from '#idtoken/enrollment';
import { TokenKeys } from '#idtoken/keys';
import { AppConfig } from '#idtoken/platform';
import { pairwiseSubject } from '../derivation/index.js';
import type { SessionRecord } from '../session-record.js';
import { sessionTokenClaims, type SessionTokenClaims } from './session-token-claims.js';

/** Issues the direct-API JWT of an approved session (spec §7), signed by the current token key (ES256). */
@Injectable()
export class SessionTokenIssuer {
  constructor(
    private readonly keys: TokenKeys,
    private readonly config: AppConfig,
  ) {}

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
    return { jwt: await this.keys.signJwt(claims), claims };
  }
}
