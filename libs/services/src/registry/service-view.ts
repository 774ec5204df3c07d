import type { ServiceEntity, ServicePublicKey, SubjectType } from './service.entity.js';

/** A service as the admin API shows it (and as audit events record it): never the secret or its hash. */
export interface ServiceView {
  serviceId: string;
  name: string;
  url: string;
  logoUrl: string | null;
  allowedScopes: string[];
  defaultScopes: string[];
  privacyPolicyUrl: string | null;
  consentRequired: boolean;
  requireTrust: boolean;
  publicInitiate: boolean;
  subjectType: SubjectType;
  tokenLifetimeSeconds: number;
  /** Whether a serviceSecret is registered (spec §6.1: then every initiate must present it). */
  hasSecret: boolean;
  publicKeys: ServicePublicKey[];
  oidc: Record<string, unknown> | null;
  saml: Record<string, unknown> | null;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function serviceView(service: ServiceEntity): ServiceView {
  return {
    serviceId: service.serviceId,
    name: service.name,
    url: service.url,
    logoUrl: service.logoUrl,
    allowedScopes: service.allowedScopes,
    defaultScopes: service.defaultScopes,
    privacyPolicyUrl: service.privacyPolicyUrl,
    consentRequired: service.consentRequired,
    requireTrust: service.requireTrust,
    publicInitiate: service.publicInitiate,
    subjectType: service.subjectType,
    tokenLifetimeSeconds: service.tokenLifetimeSeconds,
    hasSecret: service.secretHash !== null,
    publicKeys: service.publicKeys,
    oidc: service.oidc,
    saml: service.saml,
    disabledAt: service.disabledAt?.toISOString() ?? null,
    createdAt: service.createdAt.toISOString(),
    updatedAt: service.updatedAt.toISOString(),
  };
}
