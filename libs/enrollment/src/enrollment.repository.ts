import type { KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, PreparedStatement } from '#idtoken/platform';
import { TrustStore } from '#idtoken/trust';
import { devicePublicKey } from './device-signature/device-key-cache.js';
import { EnrollmentEntity } from './enrollment.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every column of EnrollmentEntity under its property name; the key comes back as a Buffer (pg) or bytes (PGlite). */
type EnrollmentRow = Omit<EnrollmentEntity, 'publicKeySpki'> & { publicKeySpki: Uint8Array };

const LATEST_ENROLLMENT =
  new PreparedStatement<EnrollmentRow>(`SELECT id, token_id AS "tokenId", status, public_key_spki AS "publicKeySpki", key_id AS "keyId",
  platform, push_token AS "pushToken", vds_fingerprint AS "vdsFingerprint", signer_reference AS "signerReference",
  trust_level AS "trustLevel", claims,
  enrolled_at AS "enrolledAt", expires_at AS "expiresAt", revoked_at AS "revokedAt",
  revocation_reason AS "revocationReason"
  FROM enrollments WHERE token_id = $1 ORDER BY enrolled_at DESC LIMIT 1`);

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads of the enrollments table shared by the enrollment service and the device-request verifier. */
@Injectable()
export class EnrollmentRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly trust: TrustStore,
  ) {}

  /** Every enrollment of a tokenId, newest first (history). */
  async history(tokenId: string): Promise<EnrollmentEntity[]> {
    if (!UUID.test(tokenId)) return [];
    return this.dataSource.getRepository(EnrollmentEntity).find({ where: { tokenId }, order: { enrolledAt: 'DESC' } });
  }

  /**
   * A page of enrollments, newest first, for the admin list: keyset pagination on (enrolled_at, id), so a page is
   * stable while enrollments are added. `afterId` is the id of the previous page's last row; the comparison reads
   * its enrolled_at in the database, at full (microsecond) precision, which a timestamp in the cursor would lose.
   */
  async page(query: { status?: 'active' | 'revoked'; afterId?: string; limit: number }): Promise<EnrollmentEntity[]> {
    const builder = this.dataSource
      .getRepository(EnrollmentEntity)
      .createQueryBuilder('e')
      // What the admin view shows: not the claims, the key or the push token.
      .select([
        'e.id',
        'e.tokenId',
        'e.status',
        'e.platform',
        'e.keyId',
        'e.trustLevel',
        'e.vdsFingerprint',
        'e.enrolledAt',
        'e.expiresAt',
        'e.revokedAt',
        'e.revocationReason',
      ])
      .orderBy('e.enrolledAt', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(query.limit);
    if (query.status) builder.andWhere('e.status = :status', { status: query.status });
    if (query.afterId) {
      builder.andWhere(
        '(e.enrolled_at, e.id) < (SELECT p.enrolled_at, p.id FROM enrollments p WHERE p.id = :afterId)',
        {
          afterId: query.afterId,
        },
      );
    }
    return builder.getMany();
  }

  /** Whether an enrollment row has this id (an admin list cursor). */
  exists(id: string): Promise<boolean> {
    return this.dataSource.getRepository(EnrollmentEntity).exists({ where: { id } });
  }

  async findActive(tokenId: string): Promise<EnrollmentEntity | null> {
    if (!UUID.test(tokenId)) return null;
    return this.dataSource.getRepository(EnrollmentEntity).findOne({ where: { tokenId, status: 'active' } });
  }

  /**
   * The active enrollment, or `404 enrollment_not_found` / `403 enrollment_revoked` (spec §6.1 semantics). An
   * enrollment whose credential has expired, or is on the VRL, is no longer active either.
   */
  async requireActive(tokenId: string, now: Date = new Date()): Promise<EnrollmentEntity> {
    const latest = await this.latest(tokenId);
    if (!latest) throw new DomainError('enrollment_not_found', 'No enrollment for this tokenId');
    if (latest.status !== 'active')
      throw new DomainError('enrollment_revoked', 'The enrollment of this tokenId is revoked');
    if (latest.expiresAt <= now) {
      throw new DomainError(
        'enrollment_revoked',
        'The credential of this enrollment has expired; enroll again with a new VDS',
      );
    }
    // An admin put its credential on the VRL (POST /admin/trust/revocations): it stops here at once, even before
    // anyone revokes the enrollment itself. The VRL is an in-memory set on every node: no query.
    if (await this.trust.isRevoked(latest.vdsFingerprint)) {
      throw new DomainError('enrollment_revoked', 'The credential of this enrollment is on the revocation list');
    }
    // Its signer, or a certificate above it, went on the VRL (a leaked issuance key): every enrollment made with a
    // credential it signed stops too, forged ones included (threat model, F3). Also in memory: no query.
    if (latest.signerReference && (await this.trust.isSignerRevoked(latest.signerReference))) {
      throw new DomainError(
        'enrollment_revoked',
        'The certificate that signed this enrollment’s credential is revoked',
      );
    }
    return latest;
  }

  /**
   * The newest enrollment of a tokenId. Read twice per login (initiate, verify): a prepared statement, as the ORM's query
   * building costs several times the round trip (bench: `npm run bench:login`, docs/performance.md).
   */
  private async latest(tokenId: string): Promise<EnrollmentEntity | undefined> {
    if (!UUID.test(tokenId)) return undefined;
    const rows = await LATEST_ENROLLMENT.run(this.dataSource, [tokenId]);
    const row = rows[0];
    return row && Object.assign(new EnrollmentEntity(), row, { publicKeySpki: asBuffer(row.publicKeySpki) });
  }

  publicKeyOf(enrollment: EnrollmentEntity): KeyObject {
    return devicePublicKey(enrollment.publicKeySpki);
  }
}
