import type { Document, Element } from '@xmldom/xmldom';
import { checkDigestAlg } from './digest-alg-allowed.js';
import { allElements, childElements } from './dom-nodes.js';
import { HARDENING_NS, TRANSFORMS } from './hardening-urns.js';
import { idAttributes } from './id-attributes.js';
import { SamlRequestRefused } from './saml-request-refused.js';
import { checkSigAlg } from './sig-alg-allowed.js';
import { checkSignatureContent } from './signature-content-model.js';

/** Options of {@link checkSignatureShape}. */
export interface SignatureShapeOptions {
  /** Refuse a message without an embedded signature (the SP's metadata says AuthnRequestsSigned, POST binding). */
  required: boolean;
}

/** What {@link checkSignatureShape} found. */
export interface SignatureShape {
  /** An embedded signature is present and has the one accepted shape; samlify still verifies it cryptographically. */
  signed: boolean;
}

/** xs:ID is an NCName; the ASCII part of it, which is what SAML implementations generate. */
const NC_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ALLOWED_TRANSFORMS: ReadonlySet<string> = new Set(Object.values(TRANSFORMS));

/**
 * Refuses every embedded-signature layout but the one a SAML message signed by an honest SP has, so the
 * signature samlify/xml-crypto verify can only be over the very element samlify then reads (defeats XML
 * signature wrapping, XSW1–XSW8 of "On Breaking SAML"): exactly one `ds:Signature` in the whole document (and no
 * element called Signature in another namespace, since samlify picks signatures by local name), a direct child
 * of the root placed where the schema puts it (first, or right after `saml:Issuer`), a closed XML-DSig content
 * model (one SignedInfo, one Reference, no Object), the Reference pointing at `#` + the root's own ID (which no
 * other element carries), transforms limited to enveloped-signature + exclusive c14n (the SignedInfo
 * canonicalized with exclusive c14n too), SHA-2 signature and digest algorithms only.
 *
 * A message without an embedded signature yields `signed: false` (unless `required`): over HTTP-Redirect the
 * signature is detached, in the query string, and is checked by `verifyRedirectSignature` instead.
 */
export function checkSignatureShape(document: Document, { required }: SignatureShapeOptions): SignatureShape {
  const root = document.documentElement;
  if (!root) throw new SamlRequestRefused('malformed_xml', 'no root element');
  const signatures = allElements(root).filter((element) => element.localName === 'Signature');
  if (signatures.some((element) => element.namespaceURI !== HARDENING_NS.dsig)) {
    refuse('an element named Signature outside the XML-DSig namespace');
  }
  const [signature, ...others] = signatures;
  if (!signature) {
    if (required) refuse('signed request required');
    return { signed: false };
  }
  if (others.length > 0) refuse('more than one Signature');
  checkPlacement(root, signature);
  checkSignatureContent(signature);
  checkReferenceTarget(document, root, signature);
  checkAlgorithms(signature);
  return { signed: true };
}

/**
 * saml-core §3.2.1 (RequestAbstractType) and §3.2.2 (StatusResponseType) start with `saml:Issuer?, ds:Signature?`:
 * the signature is the root's second child after an Issuer, or its first when there is no Issuer.
 */
function checkPlacement(root: Element, signature: Element): void {
  if (signature.parentNode !== root) refuse('the Signature is not a child of the root element');
  const children = childElements(root);
  const index = children.indexOf(signature);
  const isIssuer = (element: Element | undefined): boolean =>
    element?.localName === 'Issuer' && element.namespaceURI === HARDENING_NS.assertion;
  const placed = isIssuer(children[0]) ? index === 1 : index === 0 && !children.some(isIssuer);
  if (!placed) refuse('the Signature must follow the Issuer, as the first elements of the root');
}

function checkReferenceTarget(document: Document, root: Element, signature: Element): void {
  const rootId = root.getAttribute('ID');
  if (!rootId) refuse('the signed root element has no ID');
  if (!NC_NAME.test(rootId)) refuse('the root ID is not an NCName (xs:ID)');
  if (idAttributes(document).filter(({ value }) => value === rootId).length !== 1) {
    throw new SamlRequestRefused('duplicate_id', 'the root ID is carried by another element too');
  }
  const reference = descendant(signature, 'SignedInfo', 'Reference');
  if (reference.getAttribute('URI') !== `#${rootId}`) refuse('the Reference does not point at the root element');
}

function checkAlgorithms(signature: Element): void {
  const signedInfo = descendant(signature, 'SignedInfo');
  if (algorithmOf(descendant(signedInfo, 'CanonicalizationMethod')) !== TRANSFORMS.excC14n) {
    refuse('SignedInfo must be canonicalized with exclusive c14n (without comments)');
  }
  checkSigAlg(algorithmOf(descendant(signedInfo, 'SignatureMethod')));
  const reference = descendant(signedInfo, 'Reference');
  checkDigestAlg(algorithmOf(descendant(reference, 'DigestMethod')));
  const transformsElement = childElements(reference).find((element) => element.localName === 'Transforms');
  const transforms = transformsElement ? childElements(transformsElement) : [];
  const algorithms = transforms.map(algorithmOf);
  if (algorithms.some((algorithm) => !ALLOWED_TRANSFORMS.has(algorithm))) {
    refuse('only the enveloped-signature and exclusive c14n (without comments) transforms are accepted');
  }
  if (!algorithms.includes(TRANSFORMS.envelopedSignature) || new Set(algorithms).size !== algorithms.length) {
    refuse('the Reference must use the enveloped-signature transform, once');
  }
  const envelopedTransform = transforms[algorithms.indexOf(TRANSFORMS.envelopedSignature)];
  if (envelopedTransform && childElements(envelopedTransform).length > 0) {
    refuse('the enveloped-signature transform takes no parameters');
  }
}

/** The single child at the end of this path of local names (the content model has already made it unique). */
function descendant(from: Element, ...path: string[]): Element {
  let element = from;
  for (const localName of path) {
    const next = childElements(element).find((child) => child.localName === localName);
    if (!next) refuse(`no ${localName} in the Signature`);
    element = next;
  }
  return element;
}

function algorithmOf(element: Element): string {
  return element.getAttribute('Algorithm') ?? '';
}

function refuse(problem: string): never {
  throw new SamlRequestRefused('signature_shape', problem);
}
