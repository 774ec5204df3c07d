import type { Element } from '@xmldom/xmldom';
import { childElements, NODE_TYPE } from './dom-nodes.js';
import { HARDENING_NS } from './hardening-urns.js';
import { SamlRequestRefused } from './saml-request-refused.js';

const { dsig, dsig11, excC14n } = HARDENING_NS;

/** `{namespace}localName`, the key of the content model below. */
type QName = `{${string}}${string}`;

interface Particle {
  name: QName;
  min: number;
  max: number;
}

type ContentModel =
  /** These children, in this order, each between min and max times. */
  | { kind: 'sequence'; items: readonly Particle[] }
  /** Between 1 and max children, each one of these names, in any order. */
  | { kind: 'choice'; names: readonly QName[]; max: number }
  /** Character data only: one text node at most. */
  | { kind: 'text' }
  /** Nothing but whitespace. */
  | { kind: 'empty' };

const ds = (localName: string): QName => `{${dsig}}${localName}`;
const ds11 = (localName: string): QName => `{${dsig11}}${localName}`;
const INCLUSIVE_NAMESPACES: QName = `{${excC14n}}InclusiveNamespaces`;
const one = (name: QName): Particle => ({ name, min: 1, max: 1 });
const optional = (name: QName): Particle => ({ name, min: 0, max: 1 });
const sequence = (...items: Particle[]): ContentModel => ({ kind: 'sequence', items });
const TEXT: ContentModel = { kind: 'text' };
const EMPTY: ContentModel = { kind: 'empty' };

/**
 * The XML-DSig schema (xmldsig-core §4, xmldsig11 §4.5.2.3) cut down to what a signed SAML message needs: one
 * SignedInfo with one Reference, no `ds:Object`, no `ds:Manifest`, no XPath transform, a KeyInfo with key names,
 * RSA/EC key values and X.509 data only. xml-crypto and samlify look signature parts up by local name anywhere
 * below the Signature (`.//*[local-name(.)='SignatureValue']`), so a closed content model is what makes "the"
 * SignatureValue, "the" Reference… unambiguous, and leaves no unsigned place inside the signature to hide a SAML
 * element in (the enveloped-signature transform leaves the whole Signature out of what is signed).
 */
const MODEL: ReadonlyMap<QName, ContentModel> = new Map<QName, ContentModel>([
  [ds('Signature'), sequence(one(ds('SignedInfo')), one(ds('SignatureValue')), optional(ds('KeyInfo')))],
  [ds('SignedInfo'), sequence(one(ds('CanonicalizationMethod')), one(ds('SignatureMethod')), one(ds('Reference')))],
  [ds('CanonicalizationMethod'), sequence(optional(INCLUSIVE_NAMESPACES))],
  [ds('SignatureMethod'), EMPTY],
  [ds('Reference'), sequence(optional(ds('Transforms')), one(ds('DigestMethod')), one(ds('DigestValue')))],
  [ds('Transforms'), sequence({ name: ds('Transform'), min: 1, max: 2 })],
  [ds('Transform'), sequence(optional(INCLUSIVE_NAMESPACES))],
  [INCLUSIVE_NAMESPACES, EMPTY],
  [ds('DigestMethod'), EMPTY],
  [ds('DigestValue'), TEXT],
  [ds('SignatureValue'), TEXT],
  [ds('KeyInfo'), { kind: 'choice', names: [ds('KeyName'), ds('KeyValue'), ds('X509Data')], max: 8 }],
  [ds('KeyName'), TEXT],
  [ds('KeyValue'), { kind: 'choice', names: [ds('RSAKeyValue'), ds11('ECKeyValue')], max: 1 }],
  [ds('RSAKeyValue'), sequence(one(ds('Modulus')), one(ds('Exponent')))],
  [ds('Modulus'), TEXT],
  [ds('Exponent'), TEXT],
  [ds11('ECKeyValue'), sequence(one(ds11('NamedCurve')), one(ds11('PublicKey')))],
  [ds11('NamedCurve'), EMPTY],
  [ds11('PublicKey'), TEXT],
  [
    ds('X509Data'),
    {
      kind: 'choice',
      names: [ds('X509Certificate'), ds('X509IssuerSerial'), ds('X509SubjectName'), ds('X509SKI')],
      max: 8,
    },
  ],
  [ds('X509Certificate'), TEXT],
  [ds('X509SubjectName'), TEXT],
  [ds('X509SKI'), TEXT],
  [ds('X509IssuerSerial'), sequence(one(ds('X509IssuerName')), one(ds('X509SerialNumber')))],
  [ds('X509IssuerName'), TEXT],
  [ds('X509SerialNumber'), TEXT],
]);

/**
 * Refuses a `ds:Signature` whose subtree is not in the closed content model above (an unknown, misplaced or
 * repeated element, text where only elements belong), or that holds a comment or CDATA section anywhere.
 */
export function checkSignatureContent(signature: Element): void {
  const model = MODEL.get(qnameOf(signature));
  if (!model) refuse(`unexpected element ${nameOf(signature)} inside the Signature`);
  checkChildNodes(signature, model);
  const children = childElements(signature);
  if (model.kind === 'sequence') checkSequence(signature, children, model.items);
  if (model.kind === 'choice') checkChoice(signature, children, model.names, model.max);
  for (const child of children) checkSignatureContent(child);
}

function checkChildNodes(element: Element, model: ContentModel): void {
  let textNodes = 0;
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === NODE_TYPE.element) {
      if (model.kind === 'text' || model.kind === 'empty') refuse(`${nameOf(element)} must not have child elements`);
    } else if (node.nodeType === NODE_TYPE.text) {
      textNodes += 1;
      if (model.kind === 'text' && textNodes > 1) refuse(`${nameOf(element)} holds more than one text node`);
      if (model.kind !== 'text' && (node.nodeValue ?? '').trim() !== '') refuse(`text inside ${nameOf(element)}`);
    } else {
      refuse('a comment, CDATA section or other node inside the Signature');
    }
  }
}

function checkSequence(element: Element, children: readonly Element[], items: readonly Particle[]): void {
  let at = 0;
  for (const { name, min, max } of items) {
    let count = 0;
    for (let child = children[at]; child && qnameOf(child) === name; child = children[at]) {
      count += 1;
      at += 1;
    }
    if (count < min || count > max) {
      const times = min === max ? `${min}` : `${min} to ${max}`;
      refuse(`${nameOf(element)} must hold ${times} ${name.slice(name.indexOf('}') + 1)}`);
    }
  }
  const unexpected = children[at];
  if (unexpected) refuse(`unexpected element ${nameOf(unexpected)} inside ${nameOf(element)}`);
}

function checkChoice(element: Element, children: readonly Element[], names: readonly QName[], max: number): void {
  if (children.length === 0 || children.length > max) refuse(`${nameOf(element)} must hold 1 to ${max} elements`);
  for (const child of children) {
    if (!names.includes(qnameOf(child))) refuse(`unexpected element ${nameOf(child)} inside ${nameOf(element)}`);
  }
}

function qnameOf(element: Element): QName {
  return `{${element.namespaceURI ?? ''}}${nameOf(element)}`;
}

function nameOf(element: Element): string {
  return element.localName ?? element.nodeName;
}

function refuse(problem: string): never {
  throw new SamlRequestRefused('signature_shape', problem);
}
