import type { Document } from '@xmldom/xmldom';
import { checkNoCommentsIn } from './check-no-comments-in.js';
import { checkSignatureShape } from './check-signature-shape.js';
import { checkUniqueIds } from './check-unique-ids.js';
import { parseSamlXml } from './parse-saml-xml.js';
import { SamlRequestRefused } from './saml-request-refused.js';

/**
 * The single-valued elements of the messages an IdP receives (AuthnRequest, LogoutRequest, LogoutResponse) that
 * samlify reads as text and the IdP acts on.
 */
export const SINGLE_VALUE_ELEMENTS: readonly string[] = [
  'Issuer',
  'NameID',
  'SessionIndex',
  'AuthnContextClassRef',
  'RequesterID',
];

/** Options of {@link hardenInboundXml}. */
export interface HardenInboundOptions {
  /**
   * `required`: HTTP-POST from an SP that signs its requests. `allowed`: POST from an SP that may sign.
   * `forbidden`: HTTP-Redirect, where any signature is detached in the query (saml-bindings §3.4.4.1 has the
   * sender remove an embedded one) and checked with `verifyRedirectSignature`.
   */
  embeddedSignature: 'required' | 'allowed' | 'forbidden';
  /** Elements that must hold one plain text value; {@link SINGLE_VALUE_ELEMENTS} unless given. */
  singleValueElements?: readonly string[];
}

/**
 * All XML checks in their order, for an inbound message's decoded text: parse ({@link parseSamlXml}: no DTD, no
 * PI, well-formed, protocol root), unique IDs, signature shape, no comments in values. One call, so no caller
 * forgets one. Returns the document and whether it carries an embedded signature (still to be verified by samlify).
 */
export function hardenInboundXml(
  xml: string,
  { embeddedSignature, singleValueElements = SINGLE_VALUE_ELEMENTS }: HardenInboundOptions,
): { document: Document; signed: boolean } {
  const document = parseSamlXml(xml);
  checkUniqueIds(document);
  const { signed } = checkSignatureShape(document, { required: embeddedSignature === 'required' });
  if (signed && embeddedSignature === 'forbidden') {
    throw new SamlRequestRefused('signature_shape', 'an HTTP-Redirect message must not carry an embedded signature');
  }
  checkNoCommentsIn(document, singleValueElements);
  return { document, signed };
}
