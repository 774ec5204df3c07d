// The OIDC facade: oidc-provider on top of the core (docs/ARCHITECTURE.md).
export { OidcModelEntity } from './adapter/oidc-model.entity.js';
export {
  createOidcAdapter,
  OIDC_SWEEP_GRACE_MS,
  sweepExpiredOidcModels,
  type OidcAdapter,
  type OidcAdapterClass,
  type OidcAdapterOptions,
  type OidcAdapterPayload,
} from './adapter/typeorm-oidc.adapter.js';
export { OidcModule } from './oidc.module.js';
export { OidcProviderHost, ACR_VALUES } from './oidc-provider.host.js';
export { mountOidc } from './mount-oidc.js';
export { OidcRevocations } from './oidc-revocations.js';
export { OidcSweeper } from './oidc-sweeper.js';
export { OIDC_ROUTES, DISCOVERY_PATH, INTERACTION_PATH } from './oidc-routes.js';
export { OIDC_SCOPES, identityScopesFor, oidcClaimsConfiguration, oidcGrant } from './oidc-scopes.js';
// The interaction pages, shared with the SAML facade (same screens, same assets).
export {
  chooseLang,
  endedPage,
  escapeHtml,
  identifierErrorText,
  identifierPage,
  waitPage,
  type EndReason,
  type Lang,
} from './interaction/pages.js';
