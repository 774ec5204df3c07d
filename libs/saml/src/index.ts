// The SAML 2.0 IdP facade: samlify in front of the X.1280 login (docs/saml.md).
export { SamlModule } from './saml.module.js';
export { SAML_PATHS } from './saml-paths.js';
export { SAML_PROFILES, SAML_PROFILE_NAMES, type SamlProfileName } from './sp/saml-profiles.js';
export { DEFAULT_ATTRIBUTE_NAMES, IDTOKEN_OID_ARC } from './sp/saml-attribute-catalogue.js';
export { samlSpSettingsSchema, type SamlSpSettings } from './sp/saml-sp-settings.js';
export { settingsFromSpMetadata } from './sp/sp-metadata.js';
export { SamlRequestRefused } from './hardening/index.js';
