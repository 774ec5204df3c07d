import { SignedXml } from 'xml-crypto';
import { parseLoosely } from './signature-wrapping.js';

/**
 * What xml-crypto alone says of a message, verifying the signatures samlify would pick (the Signature children of
 * the root, by local name) with the pinned certificate and ignoring KeyInfo: true if one verifies. Shows which
 * wrapping shapes pass cryptographic verification and are stopped only by the shape checks.
 */
export function xmlCryptoAccepts(xml: string, certificatePem: string): boolean {
  const root = parseLoosely(xml).documentElement;
  const signatures = [];
  for (let node = root?.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && node.localName === 'Signature') signatures.push(node);
  }
  return signatures.some((signature) => {
    const verifier = new SignedXml({ publicCert: certificatePem, getCertFromKeyInfo: () => null });
    try {
      verifier.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
      return verifier.checkSignature(xml);
    } catch {
      return false;
    }
  });
}
