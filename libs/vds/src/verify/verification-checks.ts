import { hexManifestId } from '../codec/layout.js';
import { certificateReference } from '../codec/digests.js';
import { isVdsExpired, vdsExpiresAt } from '../manifests/expiry.js';
import { decodePayload } from '../manifests/validate-payload.js';
import { verifySignatureOnly } from '../signature/verify-signature.js';
import type { DecodedVds, VdsPayload, VdsSigner, VdsTrust, VerifyVdsOptions } from '../types.js';
import { VdsError } from '../vds-error.js';

// The checks of spec §2 "Verification of a VDS", steps 2 to 7 (step 1 is decodeVds). verify-vds.ts runs them in
// the spec's order; each throws VdsError with its own code.

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Step 2: the manifest is known (and the expected one, if the caller said) and the payload fits its schema. */
export function checkManifestAndSchema(decoded: DecodedVds, expectedManifestId?: number): VdsPayload {
  if (expectedManifestId !== undefined && decoded.manifestId !== expectedManifestId) {
    throw new VdsError(
      'vds_schema',
      `expected manifest ${hexManifestId(expectedManifestId)}, got ${hexManifestId(decoded.manifestId)}`,
    );
  }
  return decodePayload(decoded);
}

/**
 * Step 3: the signing certificate, found by certificate reference. A trust store that answers with a certificate of
 * another reference is treated as not having found one. Errors of the store itself (I/O) pass through unchanged.
 */
export async function findSigner(decoded: DecodedVds, trust: VdsTrust): Promise<VdsSigner> {
  const reference = hex(decoded.certificateReference);
  const signer = await trust.findSigner(decoded.certificateReference);
  if (!signer || hex(certificateReference(signer.certificateDer)) !== reference) {
    throw new VdsError('vds_unknown_signer', `no signing certificate with reference ${reference} in the trust store`);
  }
  return signer;
}

/** Step 4: chain, validity period, revocation and UsageList — the trust store decides; any refusal is this code. */
export async function checkSignerTrusted(signer: VdsSigner, decoded: DecodedVds, options: VerifyVdsOptions) {
  try {
    await options.trust.checkSigner(signer, decoded.manifestId, options.now);
  } catch (error) {
    if (error instanceof VdsError && error.code === 'vds_untrusted_signer') throw error;
    // A trust store's own error may carry a plain `detail` (its message repeats the code): prefer that.
    const detail = (error as { detail?: unknown } | null)?.detail;
    const reason = typeof detail === 'string' ? detail : error instanceof Error ? error.message : String(error);
    throw new VdsError('vds_untrusted_signer', `signing certificate not trusted: ${reason}`, { cause: error });
  }
}

/** Step 5. */
export function checkSignature(decoded: DecodedVds, signer: VdsSigner): void {
  if (!verifySignatureOnly(decoded, signer.publicKey)) {
    throw new VdsError('vds_bad_signature', 'the signature does not verify with the signing certificate’s key');
  }
}

/** Step 6. */
export function checkNotExpired(decoded: DecodedVds, payload: VdsPayload, now: Date): void {
  if (isVdsExpired(decoded.manifestId, payload, now)) {
    const expiredAt = vdsExpiresAt(decoded.manifestId, payload).toISOString();
    throw new VdsError('vds_expired', `the credential expired at ${expiredAt}`);
  }
}

/** Step 7. Errors of the store itself pass through unchanged. */
export async function checkNotRevoked(decoded: DecodedVds, trust: VdsTrust): Promise<void> {
  if (await trust.isRevoked(decoded.fingerprint)) {
    throw new VdsError('vds_revoked', `the credential ${decoded.fingerprint} is on the revocation list`);
  }
}
