import type { Document } from '@xmldom/xmldom';
import { allElements, NODE_TYPE } from './dom-nodes.js';
import { SamlRequestRefused } from './saml-request-refused.js';

/**
 * Refuses a message in which an element holding a single value (`NameID`, `Issuer`, `SessionIndex`…, matched by
 * local name in any namespace, as samlify matches them) has anything but at most one text node: a comment, a
 * CDATA section, a child element, or text split in several nodes. Exclusive c14n drops comments, so
 * `admin@example.com<!---->.evil.com` keeps a valid signature while a reader taking the first text node sees
 * `admin@example.com` (the 2018 comment-injection bugs in SAML libraries).
 */
export function checkNoCommentsIn(document: Document, localNames: readonly string[]): void {
  const root = document.documentElement;
  if (!root) return;
  const names = new Set(localNames);
  for (const element of allElements(root)) {
    if (!names.has(element.localName ?? element.nodeName)) continue;
    const first = element.firstChild;
    const single = !first || (first.nodeType === NODE_TYPE.text && !first.nextSibling);
    if (!single) {
      throw new SamlRequestRefused(
        'comment_in_value',
        `${element.localName ?? element.nodeName} must hold one plain text value (no comment, CDATA or child element)`,
      );
    }
  }
}
