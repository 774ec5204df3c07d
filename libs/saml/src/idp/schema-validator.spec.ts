import { samlSchemaValidator } from './schema-validator.js';

const REQUEST = (extra = '') =>
  `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
  `ID="_a1" Version="2.0" IssueInstant="2026-11-27T00:00:00Z"><saml:Issuer>https://sp.example</saml:Issuer>${extra}</samlp:AuthnRequest>`;

describe('the SAML schema validator (xmllint in asm.js)', () => {
  it('accepts a valid AuthnRequest and refuses one with an element the XSD does not allow', async () => {
    await expect(samlSchemaValidator.validate(REQUEST())).resolves.toBe('SUCCESS_VALIDATE_XML');
    await expect(samlSchemaValidator.validate(REQUEST('<samlp:Bogus/>'))).rejects.toBe('ERR_EXCEPTION_VALIDATE_XML');
  });

  it('leaves no process listener behind, however many messages it validates', async () => {
    const before = process.listenerCount('uncaughtException');
    for (let i = 0; i < 15; i += 1) await samlSchemaValidator.validate(REQUEST());
    expect(process.listenerCount('uncaughtException')).toBe(before);
  });
});
