import {
  ATTRIBUTE_NAME_FORMATS,
  NAME_ID_FORMATS,
  NS,
  STATUS,
  type AttributeNameFormat,
  type NameIdFormat,
} from '../saml-urns.js';
import { escapeXml as x } from './xml-escape.js';

export interface SamlAttribute {
  name: string;
  nameFormat: AttributeNameFormat;
  friendlyName?: string;
  values: string[];
}

/** Everything a successful Response states (saml-core §2, saml-profiles §4.1.4.2 Web Browser SSO). */
export interface AssertionValues {
  responseId: string;
  assertionId: string;
  issueInstant: Date;
  issuer: string;
  /** The ACS URL the response is posted to: Destination and Recipient. */
  destination: string;
  inResponseTo?: string;
  audience: string;
  nameId: { value: string; format: NameIdFormat };
  /** How long the assertion may be used: SubjectConfirmationData and Conditions NotOnOrAfter. */
  notOnOrAfter: Date;
  /** Conditions NotBefore; a little before issue to absorb the SP's clock being behind. */
  notBefore: Date;
  authnInstant: Date;
  sessionIndex: string;
  sessionNotOnOrAfter: Date;
  authnContextClassRef: string;
  attributes: SamlAttribute[];
}

const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The unsigned Response: elements in schema order (Issuer, [Signature], Status, Assertion; in the Assertion Issuer,
 * [Signature], Subject, Conditions, AuthnStatement, AttributeStatement), every value escaped. samlify then signs the
 * assertion and/or the response (and encrypts) as the SP is configured.
 */
export function successResponseXml(v: AssertionValues): string {
  const inResponseTo = v.inResponseTo === undefined ? '' : ` InResponseTo="${x(v.inResponseTo)}"`;
  const attributes =
    v.attributes.length === 0
      ? ''
      : `<saml:AttributeStatement>${v.attributes.map(attributeXml).join('')}</saml:AttributeStatement>`;
  return (
    `<samlp:Response xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${x(v.responseId)}" Version="2.0"` +
    ` IssueInstant="${iso(v.issueInstant)}" Destination="${x(v.destination)}"${inResponseTo}>` +
    `<saml:Issuer>${x(v.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${STATUS.success}"/></samlp:Status>` +
    `<saml:Assertion ID="${x(v.assertionId)}" Version="2.0" IssueInstant="${iso(v.issueInstant)}">` +
    `<saml:Issuer>${x(v.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${NAME_ID_FORMATS[v.nameId.format]}">${x(v.nameId.value)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${iso(v.notOnOrAfter)}" Recipient="${x(v.destination)}"${inResponseTo}/>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(v.notBefore)}" NotOnOrAfter="${iso(v.notOnOrAfter)}">` +
    `<saml:AudienceRestriction><saml:Audience>${x(v.audience)}</saml:Audience></saml:AudienceRestriction>` +
    `</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(v.authnInstant)}" SessionIndex="${x(v.sessionIndex)}"` +
    ` SessionNotOnOrAfter="${iso(v.sessionNotOnOrAfter)}">` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>${x(v.authnContextClassRef)}</saml:AuthnContextClassRef>` +
    `</saml:AuthnContext></saml:AuthnStatement>` +
    attributes +
    `</saml:Assertion></samlp:Response>`
  );
}

function attributeXml(attribute: SamlAttribute): string {
  const friendly = attribute.friendlyName ? ` FriendlyName="${x(attribute.friendlyName)}"` : '';
  const values = attribute.values
    .map(
      (value) =>
        `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${x(value)}</saml:AttributeValue>`,
    )
    .join('');
  return (
    `<saml:Attribute Name="${x(attribute.name)}" NameFormat="${ATTRIBUTE_NAME_FORMATS[attribute.nameFormat]}"${friendly}>` +
    `${values}</saml:Attribute>`
  );
}

/** A Response that carries only a status (no assertion): a refusal the SP can show (saml-core §3.2.2.2). */
export function statusResponseXml(v: {
  responseId: string;
  issueInstant: Date;
  issuer: string;
  destination: string;
  inResponseTo?: string;
  status: string;
  subStatus?: string;
  message?: string;
  element?: 'Response' | 'LogoutResponse';
}): string {
  const element = v.element ?? 'Response';
  const inResponseTo = v.inResponseTo === undefined ? '' : ` InResponseTo="${x(v.inResponseTo)}"`;
  const code =
    v.subStatus === undefined
      ? `<samlp:StatusCode Value="${x(v.status)}"/>`
      : `<samlp:StatusCode Value="${x(v.status)}"><samlp:StatusCode Value="${x(v.subStatus)}"/></samlp:StatusCode>`;
  const message = v.message === undefined ? '' : `<samlp:StatusMessage>${x(v.message)}</samlp:StatusMessage>`;
  return (
    `<samlp:${element} xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${x(v.responseId)}" Version="2.0"` +
    ` IssueInstant="${iso(v.issueInstant)}" Destination="${x(v.destination)}"${inResponseTo}>` +
    `<saml:Issuer>${x(v.issuer)}</saml:Issuer><samlp:Status>${code}${message}</samlp:Status></samlp:${element}>`
  );
}

export { STATUS };
