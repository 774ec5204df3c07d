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
import { verifiedBy } from './verified-vds-cache.js';

/**
 * spec §2 "Verification of a VDS": the seven checks in the spec's order, the first failure reported with its code
 * (a credential both expired and badly signed is vds_bad_signature). Accepts "VDS1:…", hex, b64 or the binary.
 * With `expectedManifestId` any other manifest fails step 2, and the payload comes back typed for that manifest.
 * Errors of the trust store's own (an unreachable list) are passed through unchanged, not turned into VdsError.
 * With `cache`, a text that passed before skips the steps that depend on its bytes alone (VerifiedVdsCache).
 */
export async function verifyVds<M extends ManifestId>(
  input: string | Uint8Array,
  options: VerifyVdsOptions & { expectedManifestId: M },
): Promise<VerifiedVds<PayloadOf<M>>>;
export async function verifyVds(input: string | Uint8Array, options: VerifyVdsOptions): Promise<VerifiedVds>;
export async function verifyVds(input: string | Uint8Array, options: VerifyVdsOptions): Promise<VerifiedVds> {
  const cache = typeof input === 'string' ? options.cache : undefined;
  const cached = cache?.take(input as string);
  // A cached credential passed steps 1 and 2 as it is; only a different expected manifest can fail step 2 now.
  const decoded = cached?.decoded ?? decodeVds(input); // 1. vds_malformed
  const payload =
    cached && (options.expectedManifestId ?? decoded.manifestId) === decoded.manifestId
      ? cached.payload
      : checkManifestAndSchema(decoded, options.expectedManifestId); // 2. vds_schema
  const signer = await findSigner(decoded, options.trust); // 3. vds_unknown_signer
  await checkSignerTrusted(signer, decoded, options); // 4. vds_untrusted_signer
  const verified = cached !== undefined && verifiedBy(cached, signer);
  if (!verified) checkSignature(decoded, signer); // 5. vds_bad_signature
  checkNotExpired(decoded, payload, options.now); // 6. vds_expired
  await checkNotRevoked(decoded, options.trust); // 7. vds_revoked
  if (cache && !verified) cache.remember(input as string, decoded, payload, signer);
  return { decoded, payload, signer };
}
