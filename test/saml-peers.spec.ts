// The SAML test peers (test/support/saml-peers.ts) judged on real inputs: they must accept a correct, signed
// Response and correct metadata, and catch a wrong key, a changed byte, an unknown element, a wrong audience
// and an expired assertion. The tools are the real ones (xmlsec1, xmllint, python3-saml); nothing is mocked.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as samlify from 'samlify';
import {
  pythonSpValidate,
  samlPeersAvailable,
  xmllintValidate,
  xmlsec1Verify,
  type PythonSpInput,
} from './support/saml-peers.js';
import { selfSignedRsa } from './support/tls.js';

const execFileAsync = promisify(execFile);

const RESPONSE = 'urn:oasis:names:tc:SAML:2.0:protocol:Response';
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion:Assertion';
const IDP_ENTITY_ID = 'https://idp.example.test/saml/metadata';
const IDP_SSO_URL = 'https://idp.example.test/saml/sso';
const SP_ENTITY_ID = 'https://sp.example.test/metadata';
const ACS_URL = 'https://sp.example.test/saml/acs';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const REQUEST_ID = `_req${randomBytes(8).toString('hex')}`;
const SESSION_INDEX = `_session${randomBytes(8).toString('hex')}`;
const NAME_ID = 'alice@example.org';

interface ResponseOptions {
  audience?: string;
  /** Conditions and SubjectConfirmationData NotOnOrAfter. */
  notOnOrAfter?: Date;
  notBefore?: Date;
  /** Encrypt the (signed) assertion for this SP certificate, then sign the Response. */
  encryptFor?: string;
}

/**
 * A Response as an IdP sends it to the SP over HTTP-POST: built and signed (Assertion, then Response; RSA-SHA256,
 * exclusive c14n) by samlify. The template's {AuthnStatement}/{AttributeStatement} holes are filled here; every
 * other value goes through samlify's own (escaping) tag replacement.
 */
async function signedResponse(idpKey: { key: string; cert: string }, options: ResponseOptions = {}): Promise<string> {
  const idp = samlify.IdentityProvider({
    entityID: IDP_ENTITY_ID,
    privateKey: idpKey.key,
    signingCert: idpKey.cert,
    nameIDFormat: [EMAIL_FORMAT],
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: IDP_SSO_URL }],
    singleLogoutService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: IDP_SSO_URL }],
    isAssertionEncrypted: options.encryptFor !== undefined,
  });
  const sp = samlify.ServiceProvider({
    entityID: SP_ENTITY_ID,
    wantAssertionsSigned: true,
    wantMessageSigned: true,
    ...(options.encryptFor === undefined ? {} : { encryptCert: options.encryptFor }),
    assertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: ACS_URL }],
  });
  const now = new Date();
  const notBefore = (options.notBefore ?? new Date(now.getTime() - 60_000)).toISOString();
  const notOnOrAfter = (options.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
  const authnStatement =
    `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${SESSION_INDEX}">` +
    '<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified' +
    '</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>';
  const attribute = (name: string, values: string[]) =>
    `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">` +
    values.map((value) => `<saml:AttributeValue xsi:type="xs:string">${value}</saml:AttributeValue>`).join('') +
    '</saml:Attribute>';
  const attributeStatement =
    '<saml:AttributeStatement>' +
    attribute('email', [NAME_ID]) +
    attribute('groups', ['staff', 'admins']) +
    '</saml:AttributeStatement>';
  const { context } = await idp.createLoginResponse(
    sp,
    { extract: { request: { id: REQUEST_ID } } },
    'post',
    { email: NAME_ID },
    {
      encryptThenSign: true,
      customTagReplacement: (template) => ({
        id: '',
        context: samlify.SamlLib.replaceTagsByValue(
          template.replace('{AuthnStatement}', authnStatement).replace('{AttributeStatement}', attributeStatement),
          {
            ID: `_resp${randomBytes(16).toString('hex')}`,
            AssertionID: `_assert${randomBytes(16).toString('hex')}`,
            Destination: ACS_URL,
            InResponseTo: REQUEST_ID,
            Issuer: IDP_ENTITY_ID,
            IssueInstant: now.toISOString(),
            StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
            NameIDFormat: EMAIL_FORMAT,
            NameID: NAME_ID,
            SubjectRecipient: ACS_URL,
            SubjectConfirmationDataNotOnOrAfter: notOnOrAfter,
            ConditionsNotBefore: notBefore,
            ConditionsNotOnOrAfter: notOnOrAfter,
            Audience: options.audience ?? SP_ENTITY_ID,
          },
        ),
      }),
    },
  );
  return Buffer.from(context, 'base64').toString('utf8');
}

/** A minimal Response signed by xmlsec1 from a template whose KeyInfo asks for the signing key's KeyValue. */
async function signWithKeyValue(privateKeyPem: string): Promise<string> {
  const id = `_resp${randomBytes(16).toString('hex')}`;
  const template =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="${id}" Version="2.0" ` +
    `IssueInstant="${new Date().toISOString()}">` +
    `<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${IDP_ENTITY_ID}</saml:Issuer>` +
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>' +
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' +
    `<ds:Reference URI="#${id}"><ds:Transforms>` +
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>' +
    '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>' +
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>' +
    '</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:KeyValue/></ds:KeyInfo></ds:Signature>' +
    '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
    '</samlp:Response>';
  const dir = await mkdtemp(join(tmpdir(), 'idtoken-saml-peers-spec-'));
  try {
    const [keyFile, templateFile, signedFile] = ['key.pem', 'template.xml', 'signed.xml'].map((f) => join(dir, f));
    await writeFile(keyFile, privateKeyPem);
    await writeFile(templateFile, template);
    await execFileAsync('xmlsec1', [
      '--sign',
      '--privkey-pem',
      keyFile,
      '--id-attr:ID',
      RESPONSE,
      '--output',
      signedFile,
      templateFile,
    ]);
    return await readFile(signedFile, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const METADATA = `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${IDP_ENTITY_ID}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:NameIDFormat>${EMAIL_FORMAT}</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${IDP_SSO_URL}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;

(samlPeersAvailable() ? describe : describe.skip)(
  'SAML test peers (xmlsec1, xmllint, python3-saml) on real inputs',
  () => {
    let idpKey: { key: string; cert: string };
    let otherKey: { key: string; cert: string };
    let spKey: { key: string; cert: string };
    let otherCert: string;
    let response: string;

    beforeAll(async () => {
      // samlify only generates here (it parses nothing), so no schema validator is installed; the product code
      // installs the real one.
      const [idp, other, spPair] = [selfSignedRsa('idp'), selfSignedRsa('idp'), selfSignedRsa('sp')];
      idpKey = idp;
      spKey = spPair;
      otherKey = other;
      otherCert = other.cert;
      response = await signedResponse(idpKey);
    });

    const sp = (samlResponse: string, overrides: Partial<PythonSpInput> = {}): PythonSpInput => ({
      spEntityId: SP_ENTITY_ID,
      acsUrl: ACS_URL,
      idpEntityId: IDP_ENTITY_ID,
      idpSsoUrl: IDP_SSO_URL,
      idpCertificatePem: idpKey.cert,
      samlResponseBase64: Buffer.from(samlResponse, 'utf8').toString('base64'),
      requestId: REQUEST_ID,
      wantAssertionsSigned: true,
      wantMessagesSigned: true,
      ...overrides,
    });

    describe('xmlsec1Verify', () => {
      it.each([RESPONSE, ASSERTION])('verifies the %s signature with the IdP certificate', async (idAttr) => {
        const verdict = await xmlsec1Verify(response, { certificatePem: idpKey.cert, idAttr });
        expect(verdict).toEqual({ ok: true, output: expect.stringMatching(/^OK$/m) });
      });

      it.each([RESPONSE, ASSERTION])('rejects the %s signature with another certificate', async (idAttr) => {
        // The document still carries the signer's own certificate in KeyInfo: it must not be used.
        const verdict = await xmlsec1Verify(response, { certificatePem: otherCert, idAttr });
        expect(verdict.ok).toBe(false);
        expect(verdict.output).toMatch(/signature verification failed/);
      });

      it.each([RESPONSE, ASSERTION])('rejects the %s signature when one signed byte changes', async (idAttr) => {
        const tampered = response.replace(`>${NAME_ID}</saml:NameID>`, `>${NAME_ID.replace('a', 'b')}</saml:NameID>`);
        expect(tampered).not.toBe(response);
        const verdict = await xmlsec1Verify(tampered, { certificatePem: idpKey.cert, idAttr });
        expect(verdict.ok).toBe(false);
        expect(verdict.output).toMatch(/data and digest do not match/);
      });

      it('never takes the key from the document (a signature made with the key in its own KeyValue)', async () => {
        // Signed by xmlsec1 itself with another key, which it writes into <ds:KeyInfo><ds:KeyValue>: xmlsec1's
        // defaults would verify this against any certificate given; the peer must not.
        const forged = await signWithKeyValue(otherKey.key);
        expect(forged).toContain('<ds:RSAKeyValue>');
        expect(await xmlsec1Verify(forged, { certificatePem: idpKey.cert, idAttr: RESPONSE })).toMatchObject({
          ok: false,
          output: expect.stringMatching(/signature verification failed/),
        });
        expect(await xmlsec1Verify(forged, { certificatePem: otherKey.cert, idAttr: RESPONSE })).toMatchObject({
          ok: true,
        });
      });

      it('finds no Response signature when only the Assertion is signed', async () => {
        const assertionOnly = response.replace(
          /(<saml:Issuer>[^<]*<\/saml:Issuer>)<ds:Signature[\s\S]*?<\/ds:Signature>/,
          '$1',
        );
        expect(assertionOnly).not.toBe(response);
        expect(await xmlsec1Verify(assertionOnly, { certificatePem: idpKey.cert, idAttr: ASSERTION })).toMatchObject({
          ok: true,
        });
        expect(await xmlsec1Verify(assertionOnly, { certificatePem: idpKey.cert, idAttr: RESPONSE })).toMatchObject({
          ok: false,
        });
      });
    });

    describe('xmllintValidate', () => {
      it('accepts a minimal IdP EntityDescriptor (schemas resolved offline)', async () => {
        const verdict = await xmllintValidate(METADATA, 'metadata');
        expect(verdict).toEqual({ ok: true, output: expect.stringMatching(/validates$/) });
      });

      it('rejects an unknown element in the IDPSSODescriptor', async () => {
        const bad = METADATA.replace('</md:IDPSSODescriptor>', '  <md:Unknown/>\n  </md:IDPSSODescriptor>');
        const verdict = await xmllintValidate(bad, 'metadata');
        expect(verdict.ok).toBe(false);
        expect(verdict.output).toMatch(
          /Element '\{urn:oasis:names:tc:SAML:2\.0:metadata\}Unknown': This element is not expected/,
        );
      });

      it('accepts the signed Response against the protocol schema', async () => {
        expect(await xmllintValidate(response, 'protocol')).toMatchObject({ ok: true });
      });
    });

    describe('pythonSpValidate', () => {
      it('accepts the good Response and reads its claims', async () => {
        expect(await pythonSpValidate(sp(response))).toEqual({
          valid: true,
          error: null,
          nameId: NAME_ID,
          nameIdFormat: EMAIL_FORMAT,
          sessionIndex: SESSION_INDEX,
          attributes: { email: [NAME_ID], groups: ['staff', 'admins'] },
          issuers: [IDP_ENTITY_ID],
        });
      });

      it('rejects a Response for another audience', async () => {
        const result = await pythonSpValidate(
          sp(await signedResponse(idpKey, { audience: 'https://other.example.test' })),
        );
        expect(result).toMatchObject({ valid: false, nameId: null });
        expect(result.error).toMatch(/is not a valid audience/);
      });

      it('rejects an expired Response', async () => {
        const past = Date.now() - 10 * 60_000;
        const expired = await signedResponse(idpKey, {
          notBefore: new Date(past - 60_000),
          notOnOrAfter: new Date(past),
        });
        const result = await pythonSpValidate(sp(expired));
        expect(result).toMatchObject({ valid: false, nameId: null });
        expect(result.error).toMatch(/expired/i);
      });

      it('decrypts an EncryptedAssertion with the SP key pair, and only with it', async () => {
        const encrypted = await signedResponse(idpKey, { encryptFor: spKey.cert });
        expect(encrypted).toContain('<saml:EncryptedAssertion');
        expect(encrypted).not.toContain(NAME_ID);
        const withKey = { wantAssertionsEncrypted: true, spPrivateKeyPem: spKey.key, spCertificatePem: spKey.cert };
        expect(await pythonSpValidate(sp(encrypted, withKey))).toMatchObject({
          valid: true,
          nameId: NAME_ID,
          sessionIndex: SESSION_INDEX,
        });
        const withOtherKey = { ...withKey, spPrivateKeyPem: otherKey.key, spCertificatePem: otherKey.cert };
        expect(await pythonSpValidate(sp(encrypted, withOtherKey))).toMatchObject({
          valid: false,
          error: expect.stringMatching(/decrypt/),
        });
      });

      it('rejects the good Response when it trusts another certificate, or posts to another ACS', async () => {
        const wrongKey = await pythonSpValidate(sp(response, { idpCertificatePem: otherCert }));
        expect(wrongKey).toMatchObject({ valid: false, error: expect.stringMatching(/Signature validation failed/) });
        const wrongAcs = await pythonSpValidate(sp(response, { acsUrl: 'https://sp.example.test/other/acs' }));
        expect(wrongAcs).toMatchObject({ valid: false, error: expect.stringMatching(/was received at/) });
      });
    });
  },
);
