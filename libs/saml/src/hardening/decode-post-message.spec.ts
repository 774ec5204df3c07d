import { decodePostMessage } from './decode-post-message.js';
import { refusalOf } from './testing/expect-refused.js';
import { authnRequestXml } from './testing/saml-messages.js';

const base64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');

describe('decodePostMessage', () => {
  it('decodes base64 into the XML text', () => {
    const xml = authnRequestXml();
    expect(decodePostMessage(base64(xml))).toBe(xml);
  });

  it('accepts base64 wrapped at 76 columns (RFC 2045), as some SPs send it', () => {
    const xml = authnRequestXml();
    const wrapped = (base64(xml).match(/.{1,76}/g) ?? []).join('\r\n');
    expect(decodePostMessage(wrapped)).toBe(xml);
  });

  it.each([
    ['characters outside the base64 alphabet', `${base64('<a/>')}!`],
    ['missing padding', base64('<a/>x').replace(/=+$/, '')],
    ['non-zero padding bits', 'PGEvPj=='],
    ['spaces', base64('<a/>').replace(/^(..)/, '$1 ')],
    ['an empty value', ''],
  ])('refuses %s', (_case, value) => {
    expect(refusalOf(() => decodePostMessage(value))).toBe('not_base64');
  });

  it('refuses a message above maxBytes', () => {
    const xml = authnRequestXml();
    expect(decodePostMessage(base64(xml), { maxBytes: xml.length })).toBe(xml);
    expect(refusalOf(() => decodePostMessage(base64(xml), { maxBytes: xml.length - 1 }))).toBe('too_large');
    expect(refusalOf(() => decodePostMessage('A'.repeat(400_000)))).toBe('too_large');
  });

  it('refuses invalid UTF-8 instead of replacing it', () => {
    expect(refusalOf(() => decodePostMessage(base64(Buffer.from([0x3c, 0x61, 0xc3, 0x28, 0x2f, 0x3e]))))).toBe(
      'not_utf8',
    );
  });
});
