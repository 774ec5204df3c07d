import { decodeVds } from '../codec/decode-vds.js';
import type { ManifestId, PayloadOf, VerifiedVds, VerifyVdsOptions } from '../types.js';
import {
  checkManifestAndSchema,
  checkNotExpired,
  checkNotRevoked,
  checkSignature,
  checkSignerTrusted,
  findSigner,
} from './verification-checks.js';

/**
 * spec §2 "Verification of a VDS": the seven checks in the spec's order, the first failure reported with its code
 * (a credential both expired and badly signed is vds_bad_signature). Accepts "VDS1:…", hex, b64 or the binary.
 * With `expectedManifestId` any other manifest fails step 2, and the payload comes back typed for that manifest.
 * Errors of the trust store's own (an unreachable list) are passed through unchanged, not turned into VdsError.
 */
export async function verifyVds<M extends ManifestId>(
  input: string | Uint8Array,
  options: VerifyVdsOptions & { expectedManifestId: M },
): Promise<VerifiedVds<PayloadOf<M>>>;
export async function verifyVds(input: string | Uint8Array, options: VerifyVdsOptions): Promise<VerifiedVds>;
export async function verifyVds(input: string | Uint8Array, options: VerifyVdsOptions): Promise<VerifiedVds> {
  const decoded = decodeVds(input); // 1. vds_malformed
  const payload = checkManifestAndSchema(decoded, options.expectedManifestId); // 2. vds_schema
  const signer = await findSigner(decoded, options.trust); // 3. vds_unknown_signer
  await checkSignerTrusted(signer, decoded, options); // 4. vds_untrusted_signer
  checkSignature(decoded, signer); // 5. vds_bad_signature
  checkNotExpired(decoded, payload, options.now); // 6. vds_expired
  await checkNotRevoked(decoded, options.trust); // 7. vds_revoked
  return { decoded, payload, signer };
}
