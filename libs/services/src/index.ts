// Service registry, Service VDS and trust bindings (spec §5).
export { ServicesModule } from './services.module.js';
export { ServiceEntity, SUBJECT_TYPES, type ServicePublicKey, type SubjectType } from './registry/service.entity.js';
export { ServiceRegistry, type ServiceWithSecret } from './registry/service-registry.js';
export { ActiveServices, SERVICES_CHANGED_CHANNEL } from './registry/active-services.js';
export {
  createServiceSchema,
  updateServiceSchema,
  type CreateServiceInput,
  type UpdateServiceInput,
} from './registry/service-input.js';
export { serviceView, type ServiceView } from './registry/service-view.js';
export { ServiceVdsEntity } from './vds/service-vds.entity.js';
export {
  DEFAULT_SERVICE_LOGO,
  SERVICE_VDS_RENEW_BEFORE_DAYS,
  SERVICE_VDS_VALIDITY_DAYS,
} from './vds/service-vds-payload.js';
export { TrustBindingEntity } from './trust/trust-binding.entity.js';
export { TrustBindings, type TrustedService } from './trust/trust-bindings.js';
export { OIDC_AUTH_METHODS, type OidcClientSettings } from './registry/oidc-client-settings.js';
export { ServiceSecrets } from './registry/service-secrets.js';
