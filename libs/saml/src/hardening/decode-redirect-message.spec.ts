import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { decodeRedirectMessage } from './decode-redirect-message.js';
import { refusalOf } from './testing/expect-refused.js';
import { authnRequestXml } from './testing/saml-messages.js';

const encode = (bytes: Buffer | string): string => deflateRawSync(bytes).toString('base64');

describe('decodeRedirectMessage', () => {
  it('decodes base64 of raw DEFLATE into the XML text', () => {
    const xml = authnRequestXml();
    expect(decodeRedirectMessage(encode(xml))).toBe(xml);
  });

  it.each([
    ['characters outside the base64 alphabet', 'abc$'],
    [
      'URL-safe base64',
      encode(Buffer.from([0xfb, 0xff, 0xfe, 0xfa]))
        .replace(/\+/g, '-')
        .replace(/\//g, '_'),
    ],
    ['missing padding', 'AQI'],
    ['padding in the middle', 'ab==cd=='],
    ['non-zero padding bits', 'AB=='],
    ['a space (a "+" mangled by form decoding)', encode(authnRequestXml()).replace(/\+/g, ' ') + ' AAA'],
    ['a line break', `${encode('x')}\n`],
    ['an empty value', ''],
  ])('refuses %s', (_case, value) => {
    expect(refusalOf(() => decodeRedirectMessage(value))).toBe('not_base64');
  });

  it('refuses a compressed message above maxDeflatedBytes before inflating it', () => {
    const random = randomBytes(20_000); // incompressible: deflates to more than the 16384-byte cap
    expect(refusalOf(() => decodeRedirectMessage(encode(random)))).toBe('too_large');
  });

  it('stops a DEFLATE bomb (10 MB of zeros, 10 kB deflated) at maxInflatedBytes', () => {
    const bomb = encode(Buffer.alloc(10 * 1024 * 1024));
    expect(Buffer.from(bomb, 'base64').length).toBeLessThan(16384);
    expect(refusalOf(() => decodeRedirectMessage(bomb))).toBe('inflate_too_large');
  });

  it('stops a 50 MB DEFLATE bomb quickly, without inflating it, even when the compressed cap lets it in', () => {
    const bomb = deflateRawSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 }).toString('base64');
    const started = process.hrtime.bigint();
    expect(refusalOf(() => decodeRedirectMessage(bomb, { maxDeflatedBytes: 100_000 }))).toBe('inflate_too_large');
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(elapsedMs).toBeLessThan(500);
    expect(refusalOf(() => decodeRedirectMessage(bomb))).toBe('too_large');
  });

  it('accepts a message of exactly maxInflatedBytes', () => {
    const text = 'a'.repeat(1000);
    expect(decodeRedirectMessage(encode(text), { maxInflatedBytes: 1000 })).toBe(text);
    expect(refusalOf(() => decodeRedirectMessage(encode(text), { maxInflatedBytes: 999 }))).toBe('inflate_too_large');
  });

  it('refuses data that is not raw DEFLATE (zlib-wrapped, truncated, random)', () => {
    const xml = authnRequestXml();
    const zlibWrapped = Buffer.concat([Buffer.from([0x78, 0x9c]), deflateRawSync(xml)]).toString('base64');
    const truncated = deflateRawSync(xml).subarray(0, 40).toString('base64');
    expect(refusalOf(() => decodeRedirectMessage(zlibWrapped))).toBe('not_deflate');
    expect(refusalOf(() => decodeRedirectMessage(truncated))).toBe('not_deflate');
    expect(refusalOf(() => decodeRedirectMessage(Buffer.from('not deflate at all').toString('base64')))).toBe(
      'not_deflate',
    );
  });

  it('refuses a message that is not valid UTF-8', () => {
    expect(refusalOf(() => decodeRedirectMessage(encode(Buffer.from([0x3c, 0x61, 0xff, 0x3e]))))).toBe('not_utf8');
  });
});
