import type { ClaimName } from '../claims/identity-claims.js';

const EIDAS = 'http://eidas.europa.eu/attributes/naturalperson/';
const IDTOKEN = 'https://idtoken.dev/attributes/';

/**
 * How the SAML facade names our claims (spec §7), as URI attribute names (NameFormat
 * `urn:oasis:names:tc:SAML:2.0:attrname-format:uri`). The eIDAS minimum data set names are used where they mean
 * the same thing (eIDAS SAML Attribute Profile); DateOfBirth there has no unknown parts, so the facade omits it for
 * a partly unknown date of birth. Everything else is in our own namespace, beside the problem types of §8.
 */
export const SAML_ATTRIBUTE_NAMES = {
  givenName: `${EIDAS}CurrentGivenName`,
  familyName: `${EIDAS}CurrentFamilyName`,
  dateOfBirth: `${EIDAS}DateOfBirth`,
  nationality: `${IDTOKEN}nationality`,
  documentNumber: `${IDTOKEN}document_number`,
  photoBase64: `${IDTOKEN}photo`,
  trustLevel: `${IDTOKEN}trust_level`,
  ageOver18: `${IDTOKEN}age_over_18`,
  ageOver21: `${IDTOKEN}age_over_21`,
  ageOver25: `${IDTOKEN}age_over_25`,
  ageRange: `${IDTOKEN}age_range`,
  isEuCitizen: `${IDTOKEN}is_eu_citizen`,
  nameInitial: `${IDTOKEN}name_initial`,
} as const satisfies Record<ClaimName, string>;
