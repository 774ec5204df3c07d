import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { DomainError, isUniqueViolation, PreparedStatement } from '#idtoken/platform';
import { TrustStore } from '#idtoken/trust';
import { SERVICE_MANIFEST, VdsError, verifyVds, type ServicePayload, type VerifiedVds } from '#idtoken/vds';
import { ServiceEntity } from '../registry/service.entity.js';
import { TrustBindingEntity } from './trust-binding.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A trusted service as the holder's device lists it (spec §5 `GET /devices/services`). */
export interface TrustedService {
  serviceId: string;
  name: string;
  url: string;
  logoUrl: string | null;
  scopes: string[];
  trustedAt: Date;
}

/** Who the binding is for: the holder's tokenId and, for the audit trail, their device key and request. */
export interface HolderContext {
  tokenId: string;
  keyId: string;
  requestId?: string;
  ip?: string;
}

const TRUST_PROBE = new PreparedStatement<{ found: number }>(
  'SELECT 1 AS found FROM service_trust_bindings WHERE token_id = $1 AND service_id = $2 LIMIT 1',
);

/**
 * Trust bindings of spec §5: a holder (tokenId) trusts a service by presenting its Service VDS from a
 * device-signed request. `isTrusted` is what initiate checks when the service has `requireTrust` (spec §6.1).
 */
@Injectable()
export class TrustBindings {
  constructor(
    private readonly dataSource: DataSource,
    private readonly trust: TrustStore,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * spec §5 `POST /devices/trust`, after the device request verified: the Service VDS verifies (spec §2, all seven
   * steps), its `sid` names a registered service that is not disabled. Trusting again keeps the first binding.
   */
  async trustService(
    serviceVds: string,
    holder: HolderContext,
    now: Date = new Date(),
  ): Promise<{ service: ServiceEntity; scopes: string[]; created: boolean }> {
    const verified = await this.verifyServiceVds(serviceVds, now);
    const { sid } = verified.payload;
    try {
      return await this.bind(verified, holder, now);
    } catch (error) {
      // Two trust requests of one holder racing (different timestamps): the primary key lets one insert win.
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.dataSource
        .getRepository(TrustBindingEntity)
        .findOneOrFail({ where: { tokenId: holder.tokenId, serviceId: sid } });
      const service = await this.dataSource.getRepository(ServiceEntity).findOneOrFail({ where: { serviceId: sid } });
      return { service, scopes: existing.scopes, created: false };
    }
  }

  private bind(
    verified: VerifiedVds<ServicePayload>,
    holder: HolderContext,
    now: Date,
  ): Promise<{ service: ServiceEntity; scopes: string[]; created: boolean }> {
    const { sid, scp } = verified.payload;
    return this.dataSource.transaction(async (manager) => {
      const service = await manager.getRepository(ServiceEntity).findOne({ where: { serviceId: sid } });
      if (!service)
        throw new DomainError('not_found', `The Service VDS names service "${sid}", which is not registered`);
      // Its VDSs are on the VRL already; this covers one read while the disabling transaction commits.
      if (service.disabledAt) throw new DomainError('vds_revoked', `Service "${sid}" is disabled`);
      const bindings = manager.getRepository(TrustBindingEntity);
      const existing = await bindings.findOne({ where: { tokenId: holder.tokenId, serviceId: sid } });
      if (existing) return { service, scopes: existing.scopes, created: false };
      await bindings.insert({
        tokenId: holder.tokenId,
        serviceId: sid,
        scopes: scp,
        vdsFingerprint: verified.decoded.fingerprint,
        trustedAt: now,
      });
      await this.audit.record(
        {
          type: 'service.trusted',
          actor: `device:${holder.keyId}`,
          subject: holder.tokenId,
          requestId: holder.requestId,
          ip: holder.ip,
          data: { serviceId: sid, scopes: scp, vdsFingerprint: verified.decoded.fingerprint },
        },
        manager,
      );
      return { service, scopes: scp, created: true };
    });
  }

  /** spec §5 `DELETE /devices/trust/{serviceId}`; `404 not_found` when the holder does not trust it. */
  async untrustService(serviceId: string, holder: HolderContext): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const result = await manager.getRepository(TrustBindingEntity).delete({ tokenId: holder.tokenId, serviceId });
      if (!result.affected) throw new DomainError('not_found', `This holder does not trust service "${serviceId}"`);
      await this.audit.record(
        {
          type: 'service.untrusted',
          actor: `device:${holder.keyId}`,
          subject: holder.tokenId,
          requestId: holder.requestId,
          ip: holder.ip,
          data: { serviceId },
        },
        manager,
      );
    });
  }

  /** spec §5 `GET /devices/services`: the holder's trusted services that are not disabled, by serviceId. */
  async trustedServices(tokenId: string): Promise<TrustedService[]> {
    const bindings = await this.dataSource.getRepository(TrustBindingEntity).find({
      where: { tokenId, service: { disabledAt: IsNull() } },
      relations: { service: true },
      order: { serviceId: 'ASC' },
    });
    return bindings.flatMap(({ service, scopes, trustedAt }) =>
      service
        ? [
            {
              serviceId: service.serviceId,
              name: service.name,
              url: service.url,
              logoUrl: service.logoUrl,
              scopes,
              trustedAt,
            },
          ]
        : [],
    );
  }

  /** spec §6.1: whether the holder trusts the service (a trust binding exists). */
  async isTrusted(tokenId: string, serviceId: string): Promise<boolean> {
    if (!UUID.test(tokenId)) return false;
    // On every login's path: a prepared statement, as the ORM's query building costs several times the round trip.
    const rows = await TRUST_PROBE.run(this.dataSource, [tokenId, serviceId]);
    return rows.length > 0;
  }

  private async verifyServiceVds(serviceVds: string, now: Date): Promise<VerifiedVds<ServicePayload>> {
    try {
      return await verifyVds(serviceVds, { trust: this.trust, now, expectedManifestId: SERVICE_MANIFEST });
    } catch (error) {
      if (error instanceof VdsError) throw new DomainError(error.code, error.detail);
      throw error;
    }
  }
}
