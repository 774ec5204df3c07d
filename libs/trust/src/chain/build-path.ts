import type { X509Certificate } from '@peculiar/x509';
import { webCrypto } from '../pki/pki-credential.js';

/** Anchor → CA → signer is 3; one more level leaves room for a production CA hierarchy. */
export const MAX_PATH_LENGTH = 4;

/** A certification path: the certificate first, its anchor last. Never empty. */
export type CertificationPath = [X509Certificate, ...X509Certificate[]];

export function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

async function signedBy(subject: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  try {
    return await subject.verify({ publicKey: issuer.publicKey, signatureOnly: true }, webCrypto);
  } catch {
    // A key the signature algorithm cannot use (another curve, RSA) simply did not sign it.
    return false;
  }
}

/**
 * The certification path from `leaf` up to one of `anchors` (leaf first, anchor last), each certificate's
 * signature verified with the next one's key; undefined when there is none. Anchors are matched by their
 * exact DER: a configured anchor is trusted as given, a look-alike is not. Searches depth first, so a
 * reissued CA with the same name does not hide the one that really signed.
 */
export async function buildPathToAnchor(
  leaf: X509Certificate,
  anchors: readonly X509Certificate[],
  intermediates: readonly X509Certificate[],
): Promise<CertificationPath | undefined> {
  const candidates = [...anchors, ...intermediates];
  const extend = async (path: CertificationPath, current: X509Certificate): Promise<CertificationPath | undefined> => {
    if (anchors.some((anchor) => sameCertificate(anchor, current))) return path;
    if (path.length >= MAX_PATH_LENGTH) return undefined;
    for (const candidate of candidates) {
      if (candidate.subject !== current.issuer) continue;
      if (path.some((member) => sameCertificate(member, candidate))) continue;
      if (!(await signedBy(current, candidate))) continue;
      const found = await extend([...path, candidate], candidate);
      if (found) return found;
    }
    return undefined;
  };
  return extend([leaf], leaf);
}
