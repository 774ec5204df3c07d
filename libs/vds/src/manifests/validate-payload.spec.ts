import { packMap, unpackMap } from '../codec/messagepack.js';
import { identityPayload, servicePayload, TINY_WEBP } from '../testing/vds-test-kit.js';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST } from '../types.js';
import { VdsError } from '../vds-error.js';
import { validatePayload } from './validate-payload.js';

/** A payload as a verifier sees it: encoded and decoded again (byte strings come back as Uint8Array). */
const asReceived = (payload: object) => unpackMap(packMap(payload));

function schemaError(manifestId: number, payload: unknown): VdsError {
  try {
    validatePayload(manifestId, payload);
  } catch (error) {
    expect(error).toBeInstanceOf(VdsError);
    expect((error as VdsError).code).toBe('vds_schema');
    return error as VdsError;
  }
  throw new Error('validatePayload accepted the payload');
}

const without = (payload: object, key: string) =>
  Object.fromEntries(Object.entries(payload).filter(([k]) => k !== key));

describe('validatePayload, identity manifest 0x0A0001 (spec §2)', () => {
  const refuse = (change: Record<string, unknown>) =>
    schemaError(IDENTITY_MANIFEST, asReceived({ ...identityPayload(), ...change })).detail;

  it('accepts a complete payload and returns it typed', () => {
    expect(validatePayload(IDENTITY_MANIFEST, asReceived(identityPayload()))).toEqual(identityPayload());
  });

  it('accepts only the required keys', () => {
    const minimal = ['sex', 'dty', 'dst', 'dex'].reduce<object>(
      (payload, key) => without(payload, key),
      identityPayload(),
    );
    expect(validatePayload(IDENTITY_MANIFEST, asReceived(minimal))).toEqual(minimal);
  });

  it.each(['gn', 'fn', 'dob', 'nat', 'doc', 'tid', 'exp', 'photo', 'face', 'lvl'])('requires "%s"', (key) => {
    expect(schemaError(IDENTITY_MANIFEST, asReceived(without(identityPayload(), key))).detail).toBe(
      `manifest 0x0A0001 payload: required key "${key}" is missing`,
    );
  });

  it('refuses a key the manifest does not name, and names it', () => {
    expect(refuse({ nickname: 'ANNIE' })).toBe(
      'manifest 0x0A0001 payload: unknown key "nickname" (keys outside the manifest are refused)',
    );
  });

  it.each([
    ['gn of 40 characters', { gn: 'A'.repeat(40) }, /"gn" must be at most 39 characters/],
    ['fn of 40 characters', { fn: 'B'.repeat(40) }, /"fn" must be 1 to 39 characters/],
    ['an empty fn', { fn: '' }, /"fn" must be 1 to 39/],
    ['gn as bytes', { gn: Buffer.from('ANNA') }, /"gn" must be a string/],
    ['dob as an ISO timestamp', { dob: '1985-04-12T00:00:00Z' }, /"dob" must be a date/],
    ['dob with month 13', { dob: '1985-13-01' }, /"dob"/],
    ['dob on 30 February', { dob: '1985-02-30' }, /"dob"/],
    ['dob with lower-case unknown parts', { dob: '1985-xx-xx' }, /"dob"/],
    ['dob with MRZ fillers', { dob: '1985-<<-<<' }, /"dob"/],
    ['nat in alpha-2', { nat: 'SE' }, /"nat" must be an ISO 3166-1 alpha-3/],
    ['nat in lower case', { nat: 'swe' }, /"nat"/],
    ['sex "U"', { sex: 'U' }, /"sex" must be one of M, F, X/],
    ['dty "V"', { dty: 'V' }, /"dty" must be one of P, ID/],
    ['dst of 4 letters', { dst: 'SWED' }, /"dst"/],
    ['dex that is not a date', { dex: '2031-04-31' }, /"dex" must be a date/],
    ['tid of version 1', { tid: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' }, /"tid" must be a lower-case UUID v4/],
    ['tid in upper case', { tid: '3F2504E0-4F89-41D3-9A0C-0305E82C3301' }, /"tid"/],
    ['exp as Unix seconds', { exp: 1_900_000_000 }, /"exp" must be a string/],
    ['lvl "low"', { lvl: 'low' }, /"lvl" must be one of substantial, high/],
    [
      'photo of 4097 bytes',
      { photo: concat(TINY_WEBP, new Uint8Array(4097 - TINY_WEBP.length)) },
      /"photo" must be 1 to 4096 bytes/,
    ],
    [
      'photo that is a JPEG',
      { photo: Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, ...new Uint8Array(30)) },
      /"photo" must be a WEBP/,
    ],
    ['photo as a base64 string', { photo: Buffer.from(TINY_WEBP).toString('base64') }, /"photo" must be a byte string/],
    ['face of 1025 bytes', { face: new Uint8Array(1025) }, /"face" must be 1 to 1024 bytes/],
    ['an empty face', { face: new Uint8Array(0) }, /"face" must be 1 to 1024 bytes/],
    ['an optional key sent as nil', { sex: null }, /"sex"/],
  ])('refuses %s, naming the key', (_case, change, detail) => {
    expect(refuse(change)).toMatch(detail);
  });

  it.each(['1985-XX-XX', '1985-04-XX', 'XXXX-XX-XX', '1984-02-29', 'XXXX-02-29', '1985-XX-31'])(
    'accepts the date of birth %s (MRZ unknown parts as XX)',
    (dob) => {
      expect(validatePayload(IDENTITY_MANIFEST, asReceived(identityPayload({ dob })))).toMatchObject({ dob });
    },
  );

  it('refuses 29 February in a year that is not a leap year', () => {
    expect(refuse({ dob: '1985-02-29' })).toMatch(/"dob"/);
  });

  it('counts characters, not UTF-16 units: 39 characters outside the BMP fit', () => {
    const gn = '𝔄'.repeat(39); // 78 UTF-16 units
    expect(validatePayload(IDENTITY_MANIFEST, asReceived(identityPayload({ gn })))).toMatchObject({ gn });
  });

  it('accepts a photo of exactly 4096 bytes and a face of exactly 1024', () => {
    const photo = concat(TINY_WEBP, new Uint8Array(4096 - TINY_WEBP.length));
    const face = new Uint8Array(1024);
    expect(() => validatePayload(IDENTITY_MANIFEST, asReceived(identityPayload({ photo, face })))).not.toThrow();
  });
});

describe('validatePayload, Service manifest 0x0A0002 (spec §2)', () => {
  const refuse = (change: Record<string, unknown>) =>
    schemaError(SERVICE_MANIFEST, asReceived({ ...servicePayload(), ...change })).detail;

  it('accepts a complete payload', () => {
    expect(validatePayload(SERVICE_MANIFEST, asReceived(servicePayload()))).toEqual(servicePayload());
  });

  it.each(['sid', 'name', 'url', 'logo', 'scp', 'iat', 'exp', 'iss'])('requires "%s"', (key) => {
    expect(schemaError(SERVICE_MANIFEST, asReceived(without(servicePayload(), key))).detail).toBe(
      `manifest 0x0A0002 payload: required key "${key}" is missing`,
    );
  });

  it('refuses a key the manifest does not name', () => {
    expect(refuse({ privacy: 'https://shop.example/privacy' })).toMatch(/unknown key "privacy"/);
  });

  it.each([
    ['name of 65 characters', { name: 'N'.repeat(65) }, /"name" must be 1 to 64 characters/],
    ['sid with upper case', { sid: 'Demo-Shop' }, /"sid" must be a slug/],
    ['sid with a colon (it would break Basic authentication)', { sid: 'demo:shop' }, /"sid"/],
    ['url over http', { url: 'http://shop.example' }, /"url" must be an https origin/],
    ['url with a path', { url: 'https://shop.example/login' }, /"url"/],
    ['url with a trailing slash', { url: 'https://shop.example/' }, /"url"/],
    ['url with the default port written out', { url: 'https://shop.example:443' }, /"url"/],
    ['url with upper-case host', { url: 'https://Shop.example' }, /"url"/],
    ['logo over http', { logo: 'http://shop.example/logo.png' }, /"logo" must be an https URL or a data:image/],
    ['logo as a data: URL that is not an image', { logo: 'data:text/html,<script>' }, /"logo"/],
    [
      'logo of 4097 bytes',
      { logo: `data:image/png;base64,${'A'.repeat(4097 - 22)}` },
      /"logo" must be at most 4096 bytes/,
    ],
    ['scp as a string', { scp: 'identity:basic' }, /"scp" must be an array/],
    [
      'scp with a space inside a scope',
      { scp: ['identity:basic openid'] },
      /"scp" must hold RFC 6749 scope-tokens .*\(item 0\)/,
    ],
    ['scp with a number', { scp: ['identity:basic', 7] }, /"scp" must hold strings only \(item 1\)/],
    ['scp repeating a scope', { scp: ['identity:basic', 'identity:basic'] }, /"scp" must not repeat/],
    ['iat as a float', { iat: 1.5 }, /"iat" must be an integer/],
    ['exp negative', { exp: -1 }, /"exp" must not be negative/],
    ['exp before iat', { exp: servicePayload().iat - 1 }, /"exp" must not be before iat/],
    ['exp as a date string', { exp: '2027-01-01' }, /"exp" must be an integer/],
    ['iss with a trailing slash', { iss: 'https://id.example/' }, /"iss"/],
    ['iss with a query', { iss: 'https://id.example?x=1' }, /"iss"/],
  ])('refuses %s, naming the key', (_case, change, detail) => {
    expect(refuse(change)).toMatch(detail);
  });

  it.each([
    ['a logo as a data:image URL', { logo: 'data:image/svg+xml;base64,PHN2Zy8+' }],
    ['a logo of exactly 4096 bytes', { logo: `data:image/png;base64,${'A'.repeat(4096 - 22)}` }],
    ['an origin with a port', { url: 'https://shop.example:8443' }],
    ['an http issuer (development servers)', { iss: 'http://localhost:3000' }],
    ['an issuer with a path', { iss: 'https://example.org/idtoken' }],
    ['an empty scope ceiling', { scp: [] }],
    ['exp equal to iat', { exp: servicePayload().iat }],
  ])('accepts %s', (_case, change) => {
    expect(() => validatePayload(SERVICE_MANIFEST, asReceived(servicePayload(change)))).not.toThrow();
  });
});

describe('validatePayload, manifests in general', () => {
  it('refuses an unknown manifest ID', () => {
    expect(schemaError(0x0a0003, asReceived(identityPayload())).detail).toBe('unknown manifest ID 0x0A0003');
  });

  it('refuses an identity payload offered under the Service manifest', () => {
    expect(schemaError(SERVICE_MANIFEST, asReceived(identityPayload())).detail).toMatch(/manifest 0x0A0002/);
  });

  it('refuses a payload that is not a map', () => {
    expect(schemaError(IDENTITY_MANIFEST, ['gn']).detail).toMatch(/must be a map/);
  });
});

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
