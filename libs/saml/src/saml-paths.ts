/** The SAML facade's routes, relative to ISSUER_URL (the metadata names them). */
export const SAML_PATHS = {
  metadata: '/saml/metadata',
  sso: '/saml/sso',
  slo: '/saml/slo',
  idpInitiated: '/saml/idp-initiated',
  interaction: '/saml/interaction',
} as const;
