import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { DomainError, isUniqueViolation } from '#idtoken/platform';
import { ServiceVdsIssuer } from '../vds/service-vds.issuer.js';
import type { ServiceVdsEntity } from '../vds/service-vds.entity.js';
import { ActiveServices } from './active-services.js';
import type { RequestContext } from './request-context.js';
import { checkScopes, type CreateServiceInput, type UpdateServiceInput } from './service-input.js';
import { ServiceEntity } from './service.entity.js';
import { ServiceSecrets } from './service-secrets.js';
import { serviceView } from './service-view.js';
import { toServicePublicKeys } from './service-public-keys.js';
import { checkOidcSettings, type OidcClientSettings } from './oidc-client-settings.js';

/** A registered service and, when one was just generated, its secret — the only time it is shown. */
export interface ServiceWithSecret {
  service: ServiceEntity;
  serviceSecret?: string;
}

/**
 * The service registry (spec §5, §9): create, read, change, disable, rotate the secret. Every change commits with
 * its audit event (before/after views, never a secret) and, when what the Service VDS shows changed, a new VDS.
 */
@Injectable()
export class ServiceRegistry {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: ServiceSecrets,
    private readonly vds: ServiceVdsIssuer,
    private readonly audit: AuditTrail,
    private readonly active: ActiveServices,
  ) {}

  async create(input: CreateServiceInput, context: RequestContext): Promise<ServiceWithSecret> {
    const scopes = checkScopes(input.allowedScopes, input.defaultScopes);
    const publicKeys = await toServicePublicKeys(input.publicKeys);
    checkOidcSettings({
      oidc: input.oidc ?? null,
      publicInitiate: input.publicInitiate,
      publicKeys,
      subjectType: input.subjectType,
    });
    // spec §9: a secret is generated unless the service initiates publicly (spec §6.1).
    const secret = input.publicInitiate ? undefined : this.secrets.generate(input.serviceId);
    try {
      return await this.changing(async (manager) => {
        const repository = manager.getRepository(ServiceEntity);
        if (await repository.exists({ where: { serviceId: input.serviceId } })) {
          throw new DomainError('conflict', `A service "${input.serviceId}" already exists`, { field: 'serviceId' });
        }
        const service = await repository.save(
          repository.create({
            ...input,
            ...scopes,
            logoUrl: input.logoUrl ?? null,
            privacyPolicyUrl: input.privacyPolicyUrl ?? null,
            secretHash: secret?.secretHash ?? null,
            secretSealed: secret?.secretSealed ?? null,
            publicKeys,
            oidc: input.oidc ?? null,
            saml: null,
            disabledAt: null,
          }),
        );
        await this.issueVdsIfPossible(service, manager);
        await this.record('service.created', service, context, manager, { after: serviceView(service) });
        return { service, serviceSecret: secret?.serviceSecret };
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError('conflict', `A service "${input.serviceId}" already exists`, { field: 'serviceId' });
      }
      throw error;
    }
  }

  /** Every service, disabled ones included, by serviceId. */
  list(): Promise<ServiceEntity[]> {
    return this.dataSource.getRepository(ServiceEntity).find({ order: { serviceId: 'ASC' } });
  }

  /** The service, or `404 not_found`. */
  async get(serviceId: string, manager: EntityManager = this.dataSource.manager): Promise<ServiceEntity> {
    const service = await manager.getRepository(ServiceEntity).findOne({ where: { serviceId } });
    if (!service) throw new DomainError('not_found', `No service "${serviceId}"`);
    return service;
  }

  /**
   * The service when it exists and is not disabled, or `404 not_found`. Outside a transaction it comes from the
   * active services in memory (frozen: not to be changed); the database answers when it is not there.
   */
  async getActive(serviceId: string, manager?: EntityManager): Promise<ServiceEntity> {
    const cached = manager ? undefined : await this.active.find(serviceId);
    if (cached) return cached;
    const service = await this.get(serviceId, manager);
    if (service.disabledAt) throw new DomainError('not_found', `Service "${serviceId}" is disabled`);
    return service;
  }

  /**
   * Changes the given fields. Turning `publicInitiate` on drops the secret; turning it off generates one, returned
   * once (spec §6.1: a service that is not public must authenticate).
   */
  async update(serviceId: string, input: UpdateServiceInput, context: RequestContext): Promise<ServiceWithSecret> {
    const { publicKeys: newKeys, ...changes } = input;
    const publicKeys = newKeys === undefined ? undefined : await toServicePublicKeys(newKeys);
    return this.changing(async (manager) => {
      const service = await this.lockActive(serviceId, manager);
      const before = serviceView(service);
      const scopes = checkScopes(
        input.allowedScopes ?? service.allowedScopes,
        input.defaultScopes ?? service.defaultScopes,
      );
      let serviceSecret: string | undefined;
      if (changes.publicInitiate === true) {
        service.secretHash = null;
        service.secretSealed = null;
      }
      if (changes.publicInitiate === false && service.publicInitiate) {
        const secret = this.secrets.generate(serviceId);
        service.secretHash = secret.secretHash;
        service.secretSealed = secret.secretSealed;
        serviceSecret = secret.serviceSecret;
      }
      Object.assign(service, changes, scopes, publicKeys ? { publicKeys } : {}, { updatedAt: new Date() });
      checkOidcSettings({
        oidc: service.oidc as OidcClientSettings | null,
        publicInitiate: service.publicInitiate,
        publicKeys: service.publicKeys,
        subjectType: service.subjectType,
      });
      await manager.getRepository(ServiceEntity).save(service);
      await this.issueVdsIfPossible(service, manager);
      await this.record('service.updated', service, context, manager, {
        before,
        after: serviceView(service),
        secretGenerated: serviceSecret !== undefined,
      });
      return { service, serviceSecret };
    });
  }

  /**
   * DELETE = disable (no hard delete: the serviceId stays taken and its history readable). Every unexpired
   * Service VDS goes on the VRL in the same transaction (spec §2 step 7). Disabling twice changes nothing.
   */
  async disable(serviceId: string, context: RequestContext): Promise<ServiceEntity> {
    return this.changing(async (manager) => {
      const service = await this.lock(serviceId, manager);
      if (service.disabledAt) return service;
      const before = serviceView(service);
      const now = new Date();
      service.disabledAt = now;
      service.updatedAt = now;
      await manager.getRepository(ServiceEntity).save(service);
      const revokedVds = await this.vds.revokeAll(service, context.actor, manager, now);
      await this.record('service.disabled', service, context, manager, {
        before,
        after: serviceView(service),
        revokedVds,
      });
      return service;
    });
  }

  /**
   * Sets (or with null removes) the SAML SP settings of an active service, already validated by libs/saml. One SP
   * entityID names one service: a second service with the same one is a `409 conflict`.
   */
  async setSaml(
    serviceId: string,
    saml: Record<string, unknown> | null,
    context: RequestContext,
  ): Promise<ServiceEntity> {
    try {
      return await this.changing(async (manager) => {
        const service = await this.lockActive(serviceId, manager);
        const before = serviceView(service);
        service.saml = saml;
        service.updatedAt = new Date();
        await manager.getRepository(ServiceEntity).save(service);
        await this.record(saml ? 'service.saml_set' : 'service.saml_removed', service, context, manager, {
          before,
          after: serviceView(service),
        });
        return service;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError('conflict', 'Another service already uses this SAML entityID', {
          field: 'saml.entityId',
        });
      }
      throw error;
    }
  }

  /** The active service whose SAML SP has this entityID, if any (the Issuer of an AuthnRequest). */
  async findActiveBySamlEntityId(entityId: string): Promise<ServiceEntity | undefined> {
    const service = await this.dataSource
      .getRepository(ServiceEntity)
      .createQueryBuilder('service')
      .where(`service.saml ->> 'entityId' = :entityId`, { entityId })
      .andWhere('service.disabled_at IS NULL')
      .getOne();
    return service ?? undefined;
  }

  /** A new secret, shown once; the old one stops working at once. Not for publicInitiate services (409). */
  async rotateSecret(serviceId: string, context: RequestContext): Promise<Required<ServiceWithSecret>> {
    return this.changing(async (manager) => {
      const service = await this.lockActive(serviceId, manager);
      if (service.publicInitiate) {
        throw new DomainError('conflict', 'A publicInitiate service has no secret; set publicInitiate to false first');
      }
      const secret = this.secrets.generate(serviceId);
      service.secretHash = secret.secretHash;
      service.secretSealed = secret.secretSealed;
      service.updatedAt = new Date();
      await manager.getRepository(ServiceEntity).save(service);
      await this.record('service.secret_rotated', service, context, manager, {});
      return { service, serviceSecret: secret.serviceSecret };
    });
  }

  /** spec §6.1 service authentication: whether `secret` is the service's current secret. */
  async verifySecret(serviceId: string, secret: string): Promise<boolean> {
    const service = await this.active.find(serviceId);
    return service !== undefined && this.secrets.matches(secret, service.secretHash);
  }

  /** The current Service VDS of an active service (`404` otherwise), issued first when due. */
  async currentVds(serviceId: string): Promise<ServiceVdsEntity> {
    return this.dataSource.transaction(async (manager) => {
      // The row lock makes concurrent first requests wait for one issuance instead of each signing one.
      const service = await this.lockActive(serviceId, manager);
      return this.vds.current(service, manager);
    });
  }

  /**
   * A transaction that changes a service: once it has committed, the active services in memory are reloaded here
   * and on every node (ActiveServices).
   */
  private async changing<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    await this.active.changed();
    return result;
  }

  private async lock(serviceId: string, manager: EntityManager): Promise<ServiceEntity> {
    const service = await manager
      .getRepository(ServiceEntity)
      .findOne({ where: { serviceId }, lock: { mode: 'pessimistic_write' } });
    if (!service) throw new DomainError('not_found', `No service "${serviceId}"`);
    return service;
  }

  private async lockActive(serviceId: string, manager: EntityManager): Promise<ServiceEntity> {
    const service = await this.lock(serviceId, manager);
    if (service.disabledAt) throw new DomainError('not_found', `Service "${serviceId}" is disabled`);
    return service;
  }

  private async issueVdsIfPossible(service: ServiceEntity, manager: EntityManager): Promise<void> {
    if (this.vds.canIssueFor(service)) await this.vds.current(service, manager);
  }

  private record(
    type: string,
    service: ServiceEntity,
    context: RequestContext,
    manager: EntityManager,
    data: Record<string, unknown>,
  ): Promise<string> {
    return this.audit.record(
      { type, actor: context.actor, subject: service.serviceId, requestId: context.requestId, ip: context.ip, data },
      manager,
    );
  }
}
