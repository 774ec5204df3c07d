import { ATTRIBUTE_NAME_FORMATS } from '../saml-urns.js';
import { DEFAULT_ATTRIBUTE_NAMES, IDTOKEN_OID_ARC } from './saml-attribute-catalogue.js';
import { SAML_PROFILES } from './saml-profiles.js';
import { effectivePolicy, samlSpSettingsSchema } from './saml-sp-settings.js';

const SP = { entityId: 'https://sp.example', assertionConsumerServices: [{ url: 'https://sp.example/acs' }] };

describe('SAML attribute names and profiles', () => {
  it('names every source once, as a urn:oid: URI (X.667 arc for our own)', () => {
    const names = Object.values(DEFAULT_ATTRIBUTE_NAMES).map((name) => name.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^urn:oid:[0-2](\.(0|[1-9]\d*))+$/);
    expect(DEFAULT_ATTRIBUTE_NAMES.givenName.name).toBe('urn:oid:2.5.4.42');
    expect(DEFAULT_ATTRIBUTE_NAMES.familyName.name).toBe('urn:oid:2.5.4.4');
    expect(DEFAULT_ATTRIBUTE_NAMES.subject.name).toBe(`urn:oid:${IDTOKEN_OID_ARC}.1`);
    expect(IDTOKEN_OID_ARC).toBe(`2.25.${BigInt('0x5fda9395155444d4b5c34665a12a9a81')}`);
  });

  it('gives each profile a NameID, attributes with known name formats, and an AuthnContextClassRef', () => {
    for (const profile of Object.values(SAML_PROFILES)) {
      expect(Object.values(profile.attributes).length).toBeGreaterThan(0);
      for (const name of Object.values(profile.attributes))
        expect(ATTRIBUTE_NAME_FORMATS).toHaveProperty(name.nameFormat);
      expect(profile.authnContextClassRef).toMatch(/^(urn|http)/);
    }
  });

  it("merges the SP's renames and withholdings over the profile", () => {
    const settings = samlSpSettingsSchema('test').parse({
      ...SP,
      profile: 'okta',
      attributes: { givenName: null, ageOver18: { name: 'adult', nameFormat: 'basic' } },
      nameIdFormat: 'persistent',
      nameIdSource: 'subject',
    });
    const policy = effectivePolicy(settings);
    expect(policy.attributes.givenName).toBeUndefined();
    expect(policy.attributes.familyName?.name).toBe('lastName');
    expect(policy.attributes.ageOver18).toEqual({ name: 'adult', nameFormat: 'basic' });
    expect(policy).toMatchObject({ nameIdFormat: 'persistent', nameIdSource: 'subject' });
  });

  it.each([
    [{ ...SP, wantSignedRequests: true }, 'signingCertificates'],
    [{ ...SP, encryptAssertion: true }, 'encryptionCertificate'],
    [{ ...SP, signResponse: false, signAssertion: false }, 'signAssertion'],
    [{ ...SP, assertionConsumerServices: [{ url: 'ftp://sp.example/acs' }] }, 'assertionConsumerServices'],
    [{ ...SP, signingCertificates: ['not a certificate'] }, 'signingCertificates'],
    [{ ...SP, profile: 'adfs' }, 'profile'],
  ])('refuses inconsistent settings %#', (input, field) => {
    const parsed = samlSpSettingsSchema('production').safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((issue) => issue.path[0])).toContain(field);
  });
});
