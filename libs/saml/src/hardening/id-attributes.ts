import type { Document, Element } from '@xmldom/xmldom';
import { allElements } from './dom-nodes.js';

/** The attribute local names XML-DSig implementations (xml-crypto included) resolve `URI="#…"` references by. */
const ID_NAMES = new Set(['ID', 'Id', 'id']);

/** One `ID` / `Id` / `id` attribute (any prefix: `xml:id`, `wsu:Id` count too) and the element carrying it. */
export interface IdAttribute {
  element: Element;
  value: string;
}

/**
 * Every attribute a signature reference could resolve to, in document order. Shared by the duplicate-ID check and
 * the signature-shape check, so both agree on what an ID is.
 */
export function idAttributes(document: Document): IdAttribute[] {
  const root = document.documentElement;
  if (!root) return [];
  const found: IdAttribute[] = [];
  for (const element of allElements(root)) {
    for (let i = 0; i < element.attributes.length; i += 1) {
      const attribute = element.attributes.item(i);
      if (attribute && ID_NAMES.has(attribute.localName || attribute.name)) {
        found.push({ element, value: attribute.value });
      }
    }
  }
  return found;
}
