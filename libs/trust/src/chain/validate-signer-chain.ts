import type { X509Certificate } from '@peculiar/x509';
import { buildPathToAnchor, type CertificationPath } from './build-path.js';
import {
  checkEveryCertificate,
  checkIssuers,
  checkPath,
  checkSigningKey,
  type PathCheckContext,
} from './check-path.js';
import { untrusted } from './untrusted.js';

export interface SignerChainInput extends PathCheckContext {
  signer: X509Certificate;
  anchors: readonly X509Certificate[];
  /** CA certificates of the trust service list. */
  intermediates: readonly X509Certificate[];
}

/**
 * spec §2 step 4: the signing certificate chains to a configured trust anchor, every certificate of the
 * chain is inside its validity at `at` and not revoked, and the signer's UsageList lists the manifest.
 * Resolves with the path (signer first, anchor last); rejects with DomainError `vds_untrusted_signer`.
 */
export async function validateSignerChain(input: SignerChainInput): Promise<CertificationPath> {
  const path = await buildPathToAnchor(input.signer, input.anchors, input.intermediates);
  if (!path) {
    throw untrusted('no_path_to_anchor', `"${input.signer.subject}" does not chain to a configured trust anchor`);
  }
  checkPath(path, input);
  return path;
}

export type ListSignerChainInput = Omit<SignerChainInput, 'manifestId'>;

/**
 * The certificate that signs the TSL and VRL (production: an online delegate of the offline anchor): the same
 * chain rules as a VDS signer, without a UsageList — it signs lists, not credentials.
 */
export async function validateListSignerChain(input: ListSignerChainInput): Promise<CertificationPath> {
  const path = await buildPathToAnchor(input.signer, input.anchors, input.intermediates);
  if (!path) {
    throw untrusted('no_path_to_anchor', `"${input.signer.subject}" does not chain to a configured trust anchor`);
  }
  checkEveryCertificate(path, input);
  checkIssuers(path);
  checkSigningKey(path[0]);
  return path;
}
