import type { DataSource, EntityManager, ObjectLiteral } from 'typeorm';
import type { AuditTrail } from '#idtoken/audit';
import { AfterCommit } from './after-commit.js';
import { RevokedCertificateEntity } from './revoked-certificate.entity.js';
import { RevokedFingerprintEntity } from './revoked-fingerprint.entity.js';

/** Who revoked, why, and the request it came with (for the audit trail). */
export interface RevocationInput {
  reason: string;
  actor: string;
  requestId?: string;
  ip?: string;
}

/** One VRL entry as the admin API shows it. */
export interface RevocationEntry {
  /** The fingerprint or certificate reference, lower-case hex. */
  value: string;
  reason: string;
  revokedBy: string;
  revokedAt: Date;
}

/** The persisted VRL (spec §2): what is revoked, as lower-case hex. */
export interface RevokedEntries {
  fingerprints: string[];
  certificateReferences: string[];
}

/**
 * The VRL tables. Each revocation and its audit event commit in one transaction — the caller's, when it
 * passes its EntityManager: an entry is on the list exactly when the trail says who put it there.
 */
export class RevocationRepository {
  private readonly commits: AfterCommit;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {
    this.commits = AfterCommit.attach(dataSource);
  }

  /** Runs `work` once the transaction of `manager` has committed (see AfterCommit: no queries in it). */
  afterCommit(manager: EntityManager, work: () => void): void {
    this.commits.run(manager, work);
  }

  close(): void {
    this.commits.detach();
  }

  async load(): Promise<RevokedEntries> {
    const fingerprints = await this.dataSource
      .getRepository(RevokedFingerprintEntity)
      .find({ select: { fingerprint: true }, order: { fingerprint: 'ASC' } });
    const certificates = await this.dataSource
      .getRepository(RevokedCertificateEntity)
      .find({ select: { certificateReference: true }, order: { certificateReference: 'ASC' } });
    return {
      fingerprints: fingerprints.map((row) => row.fingerprint),
      certificateReferences: certificates.map((row) => row.certificateReference),
    };
  }

  /**
   * Every entry with who revoked it, when and why, newest first (the admin view; the VRL publishes keys only); with
   * `only`, just the entry of that fingerprint or certificate reference (one index probe per table).
   */
  async entries(only?: string): Promise<{ fingerprints: RevocationEntry[]; certificateReferences: RevocationEntry[] }> {
    const order = { revokedAt: 'DESC' } as const;
    const fingerprints = await this.dataSource
      .getRepository(RevokedFingerprintEntity)
      .find({ order, where: only === undefined ? {} : { fingerprint: only } });
    const certificates = await this.dataSource
      .getRepository(RevokedCertificateEntity)
      .find({ order, where: only === undefined ? {} : { certificateReference: only } });
    const entry = (value: string, row: RevokedFingerprintEntity | RevokedCertificateEntity): RevocationEntry => ({
      value,
      reason: row.reason,
      revokedBy: row.revokedBy,
      revokedAt: row.revokedAt,
    });
    return {
      fingerprints: fingerprints.map((row) => entry(row.fingerprint, row)),
      certificateReferences: certificates.map((row) => entry(row.certificateReference, row)),
    };
  }

  /** True when this call put the fingerprint on the list; false when it was there already (nothing recorded). */
  revokeFingerprint(fingerprint: string, input: RevocationInput, manager?: EntityManager): Promise<boolean> {
    return this.revoke(RevokedFingerprintEntity, { fingerprint }, 'trust.vds_revoked', fingerprint, input, manager);
  }

  revokeCertificate(certificateReference: string, input: RevocationInput, manager?: EntityManager): Promise<boolean> {
    return this.revoke(
      RevokedCertificateEntity,
      { certificateReference },
      'trust.certificate_revoked',
      certificateReference,
      input,
      manager,
    );
  }

  private revoke(
    entity: typeof RevokedFingerprintEntity | typeof RevokedCertificateEntity,
    key: ObjectLiteral,
    eventType: string,
    subject: string,
    input: RevocationInput,
    outer: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    // Inside the caller's transaction this is a savepoint: the caller's rollback undoes it too.
    return outer.transaction(async (manager: EntityManager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(entity)
        .values({ ...key, reason: input.reason, revokedBy: input.actor })
        .orIgnore()
        .returning('revoked_at')
        .execute();
      if ((inserted.raw as unknown[]).length === 0) return false;
      await this.audit.record(
        {
          type: eventType,
          actor: input.actor,
          subject,
          requestId: input.requestId,
          ip: input.ip,
          data: { reason: input.reason },
        },
        manager,
      );
      return true;
    });
  }
}
