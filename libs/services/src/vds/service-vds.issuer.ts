import { Injectable } from '@nestjs/common';
import { MoreThan, type EntityManager } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { AppConfig, DomainError } from '#idtoken/platform';
import { TrustStore } from '#idtoken/trust';
import {
  SERVICE_MANIFEST,
  VDS_ENVIRONMENT,
  decodePayload,
  decodeVds,
  signVds,
  toVdsText,
  vdsExpiresAt,
  vdsFingerprint,
  type ServicePayload,
} from '#idtoken/vds';
import type { ServiceEntity } from '../registry/service.entity.js';
import { needsNewServiceVds, servicePayloadFor } from './service-vds-payload.js';
import { ServiceVdsEntity } from './service-vds.entity.js';

/**
 * Issues and keeps the Service VDS of each service (spec §2 manifest 0x0A0002, §5): one current VDS, stable
 * between requests, replaced when what it shows changes or it nears expiry; all put on the VRL when the
 * service is disabled.
 */
@Injectable()
export class ServiceVdsIssuer {
  constructor(
    private readonly trust: TrustStore,
    private readonly config: AppConfig,
    private readonly audit: AuditTrail,
  ) {}

  /** Whether a service can carry a Service VDS: the manifest's `url` is an https origin (spec §2). */
  canIssueFor(service: ServiceEntity): boolean {
    return new URL(service.url).protocol === 'https:';
  }

  /** The newest VDS of the service, issuing a new one first when it is due. Run inside the caller's transaction. */
  async current(service: ServiceEntity, manager: EntityManager, now: Date = new Date()): Promise<ServiceVdsEntity> {
    if (!this.canIssueFor(service)) {
      throw new DomainError(
        'conflict',
        `Service "${service.serviceId}" has an http origin (development only); a Service VDS needs an https origin`,
      );
    }
    const newest = await manager
      .getRepository(ServiceVdsEntity)
      .findOne({ where: { serviceId: service.serviceId }, order: { issuedAt: 'DESC' } });
    const payload = newest ? (decodePayload(decodeVds(newest.text)) as ServicePayload) : undefined;
    if (newest && !needsNewServiceVds(payload, service, this.config.issuerUrl, now)) return newest;
    return this.issue(service, manager, now);
  }

  /** spec §2: the fingerprints of every unexpired VDS of the service go on the VRL (the caller's transaction). */
  async revokeAll(
    service: ServiceEntity,
    actor: string,
    manager: EntityManager,
    now: Date = new Date(),
  ): Promise<string[]> {
    const live = await manager
      .getRepository(ServiceVdsEntity)
      .find({ where: { serviceId: service.serviceId, expiresAt: MoreThan(now) }, order: { issuedAt: 'ASC' } });
    for (const vds of live) {
      await this.trust.revokeFingerprint(vds.fingerprint, `service ${service.serviceId} disabled`, actor, manager);
    }
    return live.map((vds) => vds.fingerprint);
  }

  private async issue(service: ServiceEntity, manager: EntityManager, now: Date): Promise<ServiceVdsEntity> {
    const signer = await this.trust.signerFor(SERVICE_MANIFEST);
    const payload = servicePayloadFor(service, this.config.issuerUrl, now);
    const binary = signVds({
      iac: this.config.vdsIac,
      cin: VDS_ENVIRONMENT[this.config.nodeEnv],
      manifestId: SERVICE_MANIFEST,
      certificateDer: signer.certificateDer,
      signingTime: payload.iat,
      payload,
      privateKey: signer.privateKey,
    });
    const repository = manager.getRepository(ServiceVdsEntity);
    const vds = await repository.save(
      repository.create({
        serviceId: service.serviceId,
        text: toVdsText(binary),
        fingerprint: vdsFingerprint(binary),
        issuedAt: now,
        expiresAt: vdsExpiresAt(SERVICE_MANIFEST, payload),
      }),
    );
    await this.audit.record(
      {
        type: 'service.vds_issued',
        actor: 'system',
        subject: service.serviceId,
        data: { fingerprint: vds.fingerprint, expiresAt: vds.expiresAt.toISOString(), scopes: payload.scp },
      },
      manager,
    );
    return vds;
  }
}
