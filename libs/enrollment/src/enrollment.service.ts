import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { DomainError, EphemeralStore, decodeBase64Strict, isUniqueViolation } from '#idtoken/platform';
import { TrustStore } from '#idtoken/trust';
import { IDENTITY_MANIFEST, VdsError, vdsExpiresAt, verifyVds, type IdentityPayload } from '#idtoken/vds';
import { DerSignatureError, verifyDeviceSignature } from './device-signature/der-signature.js';
import { parseDevicePublicKey } from './device-signature/device-key.js';
import { enrollMessage } from './device-signature/signed-request.js';
import { assertFreshTimestamp } from './device-signature/timestamp-window.js';
import { EnrollmentEntity, type EnrollmentClaims, type RevocationReason } from './enrollment.entity.js';
import { EnrollmentRepository } from './enrollment.repository.js';

export interface EnrollInput {
  vdsData: string;
  publicKeyPem: string;
  deviceId: string;
  fcmToken?: string;
  platform: 'ios' | 'android' | 'web' | 'simulator';
  timestamp: number;
  signatureBase64: string;
}

export interface RequestContext {
  actor?: string;
  requestId?: string;
  ip?: string;
}

/** Published on the ephemeral store after a revocation commits; sessions (spec §6) end pending logins on it. */
export const ENROLLMENT_REVOKED_CHANNEL = 'enrollment:revoked';

/** Enrollment and revocation of device keys (spec §4). */
@Injectable()
export class EnrollmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly enrollments: EnrollmentRepository,
    private readonly trust: TrustStore,
    private readonly audit: AuditTrail,
    private readonly store: EphemeralStore,
  ) {}

  /** Spec §4, in order: VDS (§2) → timestamp ±30 s → proof of possession → no active enrollment → store. */
  async enroll(input: EnrollInput, context: RequestContext, now: Date = new Date()): Promise<EnrollmentEntity> {
    const credential = await this.verifyIdentityVds(input.vdsData, now);
    const payload = credential.payload;
    assertFreshTimestamp(input.timestamp, now);
    const deviceKey = parseDevicePublicKey(input.publicKeyPem);
    const signature = decodeBase64Strict(input.signatureBase64, 'signatureBase64');
    this.assertProofOfPossession(
      deviceKey.publicKey,
      enrollMessage(payload.tid, deviceKey.keyId, input.timestamp),
      signature,
    );
    const existing = await this.enrollments.findActive(payload.tid);
    if (existing && existing.expiresAt > now) {
      throw new DomainError('already_enrolled', 'This tokenId already has an active enrollment; revoke it first');
    }

    try {
      return await this.dataSource.transaction(async (manager) => {
        const repository = manager.getRepository(EnrollmentEntity);
        if (existing) {
          // Its credential expired: it ends here, so the new one can be the tokenId's one active enrollment.
          await repository.update(
            { id: existing.id },
            { status: 'revoked', revokedAt: now, revocationReason: 'expired_document' },
          );
          await this.audit.record(
            {
              type: 'enrollment.expired',
              actor: 'system',
              subject: payload.tid,
              requestId: context.requestId,
              ip: context.ip,
            },
            manager,
          );
        }
        const enrollment = await repository.save(
          repository.create({
            tokenId: payload.tid,
            status: 'active',
            publicKeySpki: deviceKey.spkiDer,
            keyId: deviceKey.keyId,
            platform: input.platform,
            pushToken: input.fcmToken ?? null,
            vdsFingerprint: credential.decoded.fingerprint,
            signerReference: Buffer.from(credential.decoded.certificateReference).toString('hex'),
            trustLevel: payload.lvl,
            claims: claimsOf(payload),
            expiresAt: vdsExpiresAt(IDENTITY_MANIFEST, payload),
          }),
        );
        await this.audit.record(
          {
            type: 'enrollment.created',
            actor: `device:${deviceKey.keyId}`,
            subject: payload.tid,
            requestId: context.requestId,
            ip: context.ip,
            data: { platform: input.platform, keyId: deviceKey.keyId, vdsFingerprint: credential.decoded.fingerprint },
          },
          manager,
        );
        return enrollment;
      });
    } catch (error) {
      // Two enrollments racing for one tokenId (or one VDS): the unique indexes let exactly one win.
      if (isUniqueViolation(error)) {
        throw new DomainError('already_enrolled', 'This tokenId (or this VDS) is already enrolled');
      }
      throw error;
    }
  }

  /**
   * Spec §4: revocation is immediate for every service. The enrollment's VDS goes on the VRL, so the same
   * credential can never enroll again; pending sessions end when the event below reaches them.
   */
  async revoke(tokenId: string, reason: RevocationReason, context: RequestContext): Promise<EnrollmentEntity> {
    const revoked = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(EnrollmentEntity);
      const enrollment = await repository.findOne({
        where: { tokenId, status: 'active' },
        lock: { mode: 'pessimistic_write' },
      });
      if (!enrollment) throw new DomainError('enrollment_not_found', 'No active enrollment for this tokenId');
      enrollment.status = 'revoked';
      enrollment.revokedAt = new Date();
      enrollment.revocationReason = reason;
      await repository.save(enrollment);
      await this.audit.record(
        {
          type: 'enrollment.revoked',
          actor: context.actor,
          subject: tokenId,
          requestId: context.requestId,
          ip: context.ip,
          data: { reason, vdsFingerprint: enrollment.vdsFingerprint },
        },
        manager,
      );
      await this.trust.revokeFingerprint(
        enrollment.vdsFingerprint,
        `enrollment revoked: ${reason}`,
        context.actor ?? 'system',
        manager,
      );
      return enrollment;
    });
    await this.store.publish(ENROLLMENT_REVOKED_CHANNEL, JSON.stringify({ tokenId, reason }));
    return revoked;
  }

  async updatePushToken(enrollment: EnrollmentEntity, fcmToken: string, context: RequestContext): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(EnrollmentEntity).update({ id: enrollment.id }, { pushToken: fcmToken });
      await this.audit.record(
        {
          type: 'enrollment.push_token_updated',
          actor: `device:${enrollment.keyId}`,
          subject: enrollment.tokenId,
          requestId: context.requestId,
          ip: context.ip,
        },
        manager,
      );
    });
  }

  private async verifyIdentityVds(vdsData: string, now: Date) {
    try {
      return await verifyVds(vdsData, { trust: this.trust, now, expectedManifestId: IDENTITY_MANIFEST });
    } catch (error) {
      if (error instanceof VdsError) throw new DomainError(error.code, error.detail);
      throw error;
    }
  }

  private assertProofOfPossession(
    publicKey: Parameters<typeof verifyDeviceSignature>[0],
    message: string,
    signature: Buffer,
  ): void {
    try {
      if (verifyDeviceSignature(publicKey, message, signature)) return;
    } catch (error) {
      if (error instanceof DerSignatureError) throw new DomainError('invalid_signature', error.message);
      throw error;
    }
    throw new DomainError('invalid_signature', 'The proof-of-possession signature does not verify with publicKeyPem');
  }
}

function claimsOf(payload: IdentityPayload): EnrollmentClaims {
  return {
    givenName: payload.gn,
    familyName: payload.fn,
    dateOfBirth: payload.dob,
    nationality: payload.nat,
    documentNumber: payload.doc,
    photoBase64: Buffer.from(payload.photo).toString('base64'),
  };
}
