// The trust store of spec §2: anchors, TSL, VRL, certificate chains, and this server's VDS signing keys.
export { TrustModule } from './trust.module.js';
export { TrustStore, type RevocationContext, type SigningKey } from './trust.store.js';
export { RevokedCertificateEntity } from './revocation/revoked-certificate.entity.js';
export { RevokedFingerprintEntity } from './revocation/revoked-fingerprint.entity.js';
export { TRUST_CHANGED_CHANNEL, TrustChanges, type TrustChange } from './trust-changes.js';

export { USAGE_LIST_OID, decodeUsageList, encodeUsageList, readUsageList, usageListExtension } from './usage-list.js';
export { certificateReferenceHex } from './certificate-reference.js';
export { generateDevPki, type DevPki } from './pki/dev-pki.js';
export { issueCertificate, type CertificateRole, type IssueCertificateOptions } from './pki/issue-certificate.js';
export { DevPkiRepository } from './pki/dev-pki.repository.js';
export { certificatePem, parseCertificateBundle } from './pki/pem.js';
export type { PkiCredential } from './pki/pki-credential.js';
export {
  TSL_LIFETIME_SECONDS,
  VRL_LIFETIME_SECONDS,
  type RevocationListPayload,
  type SignedList,
  type TrustServiceListPayload,
} from './lists/trust-list.publisher.js';
export { TSL_JWS_TYPE, VRL_JWS_TYPE } from './lists/sign-list.js';
