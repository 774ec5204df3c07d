import { AccountLinkEntity } from '#idtoken/accounts';
import { ApiKeyEntity, StationEntity } from '#idtoken/admin';
import { AuditEventEntity } from '#idtoken/audit';
import { EnrollmentEntity } from '#idtoken/enrollment';
import { CscaCertificateEntity } from '#idtoken/issuance';
import { KeyMaterialEntity } from '#idtoken/keys';
import { OidcModelEntity } from '#idtoken/oidc';
import type { PersistenceParts } from '#idtoken/platform';
import { ServiceEntity, ServiceVdsEntity, TrustBindingEntity } from '#idtoken/services';
import { RevokedCertificateEntity, RevokedFingerprintEntity } from '#idtoken/trust';
import { migrations } from '#migrations';

/** Every entity and migration of the server: one list for the app and the TypeORM CLI. */
export const persistence: PersistenceParts = {
  entities: [
    AuditEventEntity,
    KeyMaterialEntity,
    ApiKeyEntity,
    StationEntity,
    RevokedFingerprintEntity,
    RevokedCertificateEntity,
    EnrollmentEntity,
    CscaCertificateEntity,
    ServiceEntity,
    ServiceVdsEntity,
    TrustBindingEntity,
    OidcModelEntity,
    AccountLinkEntity,
  ],
  migrations,
};
