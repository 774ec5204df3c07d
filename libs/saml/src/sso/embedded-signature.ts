import type { Document, Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { NS } from '../saml-urns.js';

/**
 * Verifies the enveloped signature of a POSTed request with the SP's pinned certificates, one after the other; the
 * KeyInfo in the message is ignored (a certificate there proves nothing). The hardening step has already checked
 * there is exactly one Signature, a child of the root, with one Reference to the root's ID, so a valid signature
 * here covers the very element that is then read.
 */
export function verifyEmbeddedSignature(xml: string, document: Document, certificatesPem: string[]): boolean {
  const signature = document.documentElement?.getElementsByTagNameNS(NS.dsig, 'Signature')[0] as Element | undefined;
  if (!signature) return false;
  return certificatesPem.some((publicCert) => {
    const verifier = new SignedXml({
      publicCert,
      getCertFromKeyInfo: () => null,
    });
    try {
      verifier.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
      return verifier.checkSignature(xml);
    } catch {
      return false;
    }
  });
}
