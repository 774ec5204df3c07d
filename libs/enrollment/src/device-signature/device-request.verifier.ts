import { Injectable } from '@nestjs/common';
import { DomainError, EphemeralStore, decodeBase64Strict } from '#idtoken/platform';
import { EnrollmentRepository } from '../enrollment.repository.js';
import type { EnrollmentEntity } from '../enrollment.entity.js';
import { DerSignatureError, verifyDeviceSignature } from './der-signature.js';
import { deviceRequestMessage, type DeviceAction } from './signed-request.js';
import { TIMESTAMP_WINDOW_SECONDS, assertFreshTimestamp } from './timestamp-window.js';

/** The envelope every device-signed request carries (spec §5.1). */
export interface DeviceEnvelope {
  tokenId: string;
  timestamp: number;
  signatureBase64: string;
}

/**
 * The one verifier of device-signed requests (spec §5.1), used by every device endpoint:
 * fresh timestamp → active enrollment → strict-DER signature over the action's message → accepted once.
 */
@Injectable()
export class DeviceRequestVerifier {
  constructor(
    private readonly enrollments: EnrollmentRepository,
    private readonly store: EphemeralStore,
  ) {}

  async verify(
    action: DeviceAction,
    envelope: DeviceEnvelope,
    fields: Record<string, unknown>,
    now: Date = new Date(),
  ): Promise<EnrollmentEntity> {
    assertFreshTimestamp(envelope.timestamp, now);
    const enrollment = await this.enrollments.requireActive(envelope.tokenId, now);
    const signature = decodeBase64Strict(envelope.signatureBase64, 'signatureBase64');
    const message = deviceRequestMessage(action, envelope.tokenId, envelope.timestamp, fields);
    let valid: boolean;
    try {
      valid = verifyDeviceSignature(this.enrollments.publicKeyOf(enrollment), message, signature);
    } catch (error) {
      if (error instanceof DerSignatureError) throw new DomainError('invalid_signature', error.message);
      throw error;
    }
    if (!valid) throw new DomainError('invalid_signature', `The signature does not verify for action "${action}"`);
    // Spec §5.1: each (tokenId, timestamp, action) is accepted once while its timestamp is within the window.
    const fresh = await this.store.putIfAbsent(
      `device-request:${envelope.tokenId}:${envelope.timestamp}:${action}`,
      '1',
      (2 * TIMESTAMP_WINDOW_SECONDS + 1) * 1000,
    );
    if (!fresh) throw new DomainError('replayed_request', `This "${action}" request was already accepted`);
    return enrollment;
  }
}
