import { randomBytes } from 'node:crypto';
import type { AccountAttributes } from '#idtoken/accounts';
import type { IdentityClaims } from '#idtoken/claims';
import type { NameIdFormat } from '../saml-urns.js';
import { LINK_ATTRIBUTES, type AttributeSource, type LinkAttribute } from '../sp/saml-attribute-catalogue.js';
import type { EffectiveSpPolicy } from '../sp/saml-sp-settings.js';
import type { SamlAttribute } from './saml-response-xml.js';

/** What one approved login knows about the holder, for this SP. */
export interface HolderFacts {
  /** The service's subject for the holder: pairwise unless the service is public. */
  subject: string;
  /** The claims of the scopes granted on the phone, and nothing else. */
  claims: IdentityClaims;
  /** The enterprise attributes an admin linked to the holder for this service, if any. */
  link: AccountAttributes | undefined;
}

/** Why no assertion can be made: answered with a SAML status, never a signed assertion. */
export class SubjectUnavailable extends Error {
  constructor(
    readonly subStatus: 'InvalidNameIDPolicy' | 'UnknownPrincipal',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The NameID (saml-core §8.3): its format from the SP's policy — or transient when the request asked for one — and
 * its value from the policy's source. A request for another format the policy cannot give is InvalidNameIDPolicy.
 */
export function nameIdFor(
  policy: EffectiveSpPolicy,
  facts: HolderFacts,
  requestedFormat: NameIdFormat | 'other' | undefined,
): { value: string; format: NameIdFormat } {
  // Transient on any side means a fresh random value, labelled transient (never a stable value called transient).
  if (requestedFormat === 'transient' || policy.nameIdFormat === 'transient' || policy.nameIdSource === 'transient') {
    return { value: transientId(), format: 'transient' };
  }
  if (requestedFormat !== undefined && requestedFormat !== 'unspecified' && requestedFormat !== policy.nameIdFormat) {
    throw new SubjectUnavailable('InvalidNameIDPolicy', `This IdP issues ${policy.nameIdFormat} NameIDs to this SP`);
  }
  const source = policy.nameIdSource;
  const value = source === 'subject' ? facts.subject : facts.link?.[source];
  if (!value) {
    throw new SubjectUnavailable('UnknownPrincipal', `No ${source} is linked to this identity for this service`);
  }
  return { value, format: policy.nameIdFormat };
}

/** The attributes the policy releases that have a value: granted claims, the subject, linked attributes. */
export function attributesFor(policy: EffectiveSpPolicy, facts: HolderFacts): SamlAttribute[] {
  const attributes: SamlAttribute[] = [];
  for (const [source, name] of Object.entries(policy.attributes) as [AttributeSource, SamlAttribute][]) {
    const values = valuesOf(source, facts);
    if (values.length === 0) continue;
    attributes.push({ name: name.name, nameFormat: name.nameFormat, friendlyName: name.friendlyName, values });
  }
  return attributes;
}

function valuesOf(source: AttributeSource, facts: HolderFacts): string[] {
  if (source === 'subject') return [facts.subject];
  if ((LINK_ATTRIBUTES as readonly string[]).includes(source)) {
    const value = facts.link?.[source as LinkAttribute];
    if (Array.isArray(value)) return value;
    return typeof value === 'string' ? [value] : [];
  }
  const claim = facts.claims[source as keyof IdentityClaims];
  if (claim === undefined || claim === null) return [];
  // A date of birth with unknown parts (our documents write them XX) is not an xs:date: left out.
  if (source === 'dateOfBirth' && typeof claim === 'string' && claim.includes('X')) return [];
  return [String(claim)];
}

function transientId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}
