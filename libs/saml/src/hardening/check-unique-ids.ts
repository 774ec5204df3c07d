import type { Document } from '@xmldom/xmldom';
import { idAttributes } from './id-attributes.js';
import { SamlRequestRefused } from './saml-request-refused.js';

/**
 * Refuses a document in which two `ID` / `Id` / `id` attributes carry the same value. Signature-wrapping attacks
 * rely on a reference `#x` resolving to one element for the signature check and to another one for the code that
 * reads the message; with unique IDs there is only one element it can mean.
 */
export function checkUniqueIds(document: Document): void {
  const seen = new Set<string>();
  for (const { value } of idAttributes(document)) {
    if (seen.has(value)) throw new SamlRequestRefused('duplicate_id', 'two elements carry the same ID');
    seen.add(value);
  }
}
