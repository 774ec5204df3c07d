import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { checkWellFormed } from './check-well-formed.js';
import { allElements, NODE_TYPE } from './dom-nodes.js';
import { HARDENING_NS } from './hardening-urns.js';
import { refuseDtd } from './refuse-dtd.js';
import { SamlRequestRefused } from './saml-request-refused.js';

/**
 * Parses an inbound SAML protocol message into the xmldom Document samlify also works on, refusing anything but a
 * plain, well-formed, namespace-well-formed document whose root is a SAML 2.0 protocol element: DTDs and processing
 * instructions are refused on the text ({@link refuseDtd}), then the strict {@link checkWellFormed}, then every
 * xmldom warning or error (xmldom only reports and carries on) refuses the message too.
 */
export function parseSamlXml(xml: string): Document {
  refuseDtd(xml);
  checkWellFormed(xml);
  const problems: string[] = [];
  const report = (message: unknown): void => {
    problems.push(String(message));
  };
  let document: Document;
  try {
    document = new DOMParser({
      locator: {},
      errorHandler: { warning: report, error: report, fatalError: report },
    }).parseFromString(xml.startsWith('\uFEFF') ? xml.slice(1) : xml, 'text/xml');
  } catch (error) {
    report(error);
    throw malformed(problems);
  }
  if (problems.length > 0) throw malformed(problems);
  const root = document.documentElement;
  if (!root) throw new SamlRequestRefused('malformed_xml', 'no root element');
  checkDocumentChildren(document, root);
  checkPrefixesBound(root);
  if (root.namespaceURI !== HARDENING_NS.protocol) {
    throw new SamlRequestRefused('unexpected_root', 'the root element is not in the SAML 2.0 protocol namespace');
  }
  return document;
}

/** Besides the root: the XML declaration, comments and whitespace only (re-checked on the tree xmldom built). */
function checkDocumentChildren(document: Document, root: Element): void {
  for (let node = document.firstChild; node; node = node.nextSibling) {
    const allowed =
      node === root ||
      node.nodeType === NODE_TYPE.comment ||
      (node.nodeType === NODE_TYPE.text && (node.nodeValue ?? '').trim() === '') ||
      (node.nodeType === NODE_TYPE.processingInstruction && node.nodeName === 'xml' && node === document.firstChild);
    if (!allowed) throw new SamlRequestRefused('malformed_xml', 'unexpected content outside the root element');
  }
}

/** xmldom accepts `<p:a>` with `p` never declared (namespace null); a name whose namespace is unknown is refused. */
function checkPrefixesBound(root: Element): void {
  for (const element of allElements(root)) {
    if (element.prefix && !element.namespaceURI) throw unbound();
    for (let i = 0; i < element.attributes.length; i += 1) {
      const attribute = element.attributes.item(i);
      if (attribute?.prefix && attribute.prefix !== 'xmlns' && !attribute.namespaceURI) throw unbound();
    }
  }
}

function unbound(): SamlRequestRefused {
  return new SamlRequestRefused('malformed_xml', 'a namespace prefix is not declared');
}

function malformed(problems: readonly string[]): SamlRequestRefused {
  const first = (problems[0] ?? '').replace(/\s+/g, ' ').slice(0, 200);
  return new SamlRequestRefused('malformed_xml', `XML parser: ${first}`);
}
