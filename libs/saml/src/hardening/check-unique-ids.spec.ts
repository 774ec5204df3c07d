import { checkUniqueIds } from './check-unique-ids.js';
import { parseSamlXml } from './parse-saml-xml.js';
import { refusalOf } from './testing/expect-refused.js';
import { authnRequestXml } from './testing/saml-messages.js';

const ROOT_ID = '_a1b2c3d4e5f60718293a4b5c6d7e8f90';
const withExtension = (content: string): string =>
  authnRequestXml().replace('</saml:Issuer>', `</saml:Issuer><samlp:Extensions>${content}</samlp:Extensions>`);

describe('checkUniqueIds', () => {
  it('accepts distinct IDs', () => {
    expect(() =>
      checkUniqueIds(parseSamlXml(withExtension('<x:A xmlns:x="urn:x" ID="_other" Id="_third"/>'))),
    ).not.toThrow();
  });

  it.each([
    ['two ID attributes', `<x:A xmlns:x="urn:x" ID="${ROOT_ID}"/>`],
    ['an Id equal to an ID', `<x:A xmlns:x="urn:x" Id="${ROOT_ID}"/>`],
    ['an id equal to an ID', `<x:A xmlns:x="urn:x" id="${ROOT_ID}"/>`],
    ['a namespaced wsu:Id', `<x:A xmlns:x="urn:x" xmlns:wsu="urn:wsu" wsu:Id="${ROOT_ID}"/>`],
    ['an xml:id', `<x:A xmlns:x="urn:x" xml:id="${ROOT_ID}"/>`],
    ['two non-root elements', '<x:A xmlns:x="urn:x" ID="_same"/><x:B xmlns:x="urn:x" ID="_same"/>'],
  ])('refuses %s with the same value', (_case, content) => {
    expect(refusalOf(() => checkUniqueIds(parseSamlXml(withExtension(content))))).toBe('duplicate_id');
  });
});
