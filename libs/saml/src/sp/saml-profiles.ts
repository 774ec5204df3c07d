import { AUTHN_CONTEXT, type NameIdFormat } from '../saml-urns.js';
import { DEFAULT_ATTRIBUTE_NAMES, type AttributeName, type AttributeSource } from './saml-attribute-catalogue.js';

/** Where a NameID's value comes from. `subject` is the service's subject (pairwise unless the service is public). */
export const NAME_ID_SOURCES = ['subject', 'transient', 'email', 'upn', 'immutableId', 'username'] as const;
export type NameIdSource = (typeof NAME_ID_SOURCES)[number];

/** A named set of defaults an admin picks for a well-known SP, so federating needs no hand-written mapping. */
export interface SamlProfile {
  nameIdFormat: NameIdFormat;
  nameIdSource: NameIdSource;
  /** Every attribute the profile releases (when it has a value), by source. */
  attributes: Partial<Record<AttributeSource, AttributeName>>;
  authnContextClassRef: string;
}

const WS_CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/';
const basic = (name: string): AttributeName => ({ name, nameFormat: 'basic' });
const unspecified = (name: string): AttributeName => ({ name, nameFormat: 'unspecified' });

export const SAML_PROFILES = {
  /** Any SAML 2.0 SP: a pairwise persistent NameID and every attribute under its default URI name. */
  generic: {
    nameIdFormat: 'persistent',
    nameIdSource: 'subject',
    attributes: DEFAULT_ATTRIBUTE_NAMES,
    authnContextClassRef: AUTHN_CONTEXT.mobileTwoFactor,
  },
  /**
   * Microsoft Entra ID domain federation (a federated domain's users sign in at IDToken): NameID = the user's
   * ImmutableID (on-premises sourceAnchor), `IDPEmail` = the UPN, and the MFA authentication context so Entra
   * counts the sign-in as multifactor.
   */
  'entra-domain': {
    nameIdFormat: 'persistent',
    nameIdSource: 'immutableId',
    attributes: { upn: basic('IDPEmail') },
    authnContextClassRef: AUTHN_CONTEXT.multipleAuthn,
  },
  /** Entra ID B2B direct federation with a SAML IdP: a persistent NameID and the ws-claims email address. */
  'entra-b2b': {
    nameIdFormat: 'persistent',
    nameIdSource: 'subject',
    attributes: {
      email: unspecified(`${WS_CLAIMS}emailaddress`),
      givenName: unspecified(`${WS_CLAIMS}givenname`),
      familyName: unspecified(`${WS_CLAIMS}surname`),
    },
    authnContextClassRef: AUTHN_CONTEXT.multipleAuthn,
  },
  /** Okta inbound SAML (an external IdP): NameID = email, and Okta's default `email`/`firstName`/`lastName`. */
  okta: {
    nameIdFormat: 'emailAddress',
    nameIdSource: 'email',
    attributes: {
      email: unspecified('email'),
      givenName: unspecified('firstName'),
      familyName: unspecified('lastName'),
    },
    authnContextClassRef: AUTHN_CONTEXT.mobileTwoFactor,
  },
} as const satisfies Record<string, SamlProfile>;

export type SamlProfileName = keyof typeof SAML_PROFILES;
export const SAML_PROFILE_NAMES = Object.keys(SAML_PROFILES) as SamlProfileName[];
