import type { ClaimName } from '#idtoken/claims';
import type { AttributeNameFormat } from '../saml-urns.js';

/**
 * What an attribute can carry: an identity claim (released only when its scope was granted on the phone), the
 * service's subject (pairwise unless the service is public), or an enterprise attribute an admin linked to the
 * holder for this service (libs/accounts).
 */
export type LinkAttribute = 'email' | 'upn' | 'immutableId' | 'username' | 'groups';
export type AttributeSource = ClaimName | LinkAttribute | 'subject';

export const LINK_ATTRIBUTES: readonly LinkAttribute[] = ['email', 'upn', 'immutableId', 'username', 'groups'];

export interface AttributeName {
  name: string;
  nameFormat: AttributeNameFormat;
  friendlyName?: string;
}

/**
 * IDToken's own OID arc, minted under `2.25` (ITU-T X.667: an OID from a UUID, no registration needed):
 * `.1` the subject, `.2.n` identity claims without a standard OID, `.3.n` linked enterprise attributes.
 */
export const IDTOKEN_OID_ARC = '2.25.127411573640536611789643784210218654337';

const uri = (oid: string, friendlyName: string): AttributeName => ({
  name: `urn:oid:${oid}`,
  nameFormat: 'uri',
  friendlyName,
});
const own = (suffix: string, friendlyName: string): AttributeName => uri(`${IDTOKEN_OID_ARC}.${suffix}`, friendlyName);

/**
 * Default attribute names (docs/saml.md): the X.500/LDAP, RFC 3739 and eduPerson OIDs where one means the same
 * thing, our arc otherwise; NameFormat `uri` as the SAML V2.0 X.500/LDAP Attribute Profile has them. A profile or
 * the SP's own settings rename or drop any of them.
 */
export const DEFAULT_ATTRIBUTE_NAMES: Record<AttributeSource, AttributeName> = {
  subject: own('1', 'idtokenSubject'),
  givenName: uri('2.5.4.42', 'givenName'),
  familyName: uri('2.5.4.4', 'sn'),
  dateOfBirth: uri('1.3.6.1.5.5.7.9.1', 'dateOfBirth'),
  nationality: uri('1.3.6.1.5.5.7.9.4', 'countryOfCitizenship'),
  documentNumber: own('2.1', 'documentNumber'),
  photoBase64: own('2.2', 'photo'),
  trustLevel: own('2.3', 'trustLevel'),
  ageOver18: own('2.4', 'ageOver18'),
  ageOver21: own('2.5', 'ageOver21'),
  ageOver25: own('2.6', 'ageOver25'),
  ageRange: own('2.7', 'ageRange'),
  isEuCitizen: own('2.8', 'isEuCitizen'),
  nameInitial: own('2.9', 'nameInitial'),
  email: uri('0.9.2342.19200300.100.1.3', 'mail'),
  upn: own('3.1', 'userPrincipalName'),
  immutableId: own('3.2', 'immutableId'),
  username: uri('0.9.2342.19200300.100.1.1', 'uid'),
  groups: uri('1.3.6.1.4.1.5923.1.5.1.1', 'isMemberOf'),
};

export const ATTRIBUTE_SOURCES = Object.keys(DEFAULT_ATTRIBUTE_NAMES) as AttributeSource[];
