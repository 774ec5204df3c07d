// The VDS credential of spec §2: format, manifests, signing and verification. Pure: no Nest, no I/O.
export * from './types.js';
export { VdsError } from './vds-error.js';

export { decodeVds } from './codec/decode-vds.js';
export { encodeVdsBinary, type VdsParts, type VdsHeadFields } from './codec/encode-binary.js';
export { toVdsText } from './codec/text-form.js';
export { certificateReference, vdsFingerprint } from './codec/digests.js';
export { VDS_TEXT_PREFIX } from './codec/layout.js';

export { validatePayload, decodePayload } from './manifests/validate-payload.js';
export { vdsExpiresAt, isVdsExpired } from './manifests/expiry.js';

export { signVds } from './signature/sign-vds.js';
export { verifySignatureOnly } from './signature/verify-signature.js';
export { vdsSignedMessage } from './signature/signed-message.js';

export { verifyVds } from './verify/verify-vds.js';
export { VerifiedVdsCache } from './verify/verified-vds-cache.js';
