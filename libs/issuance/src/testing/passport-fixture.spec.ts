import { randomBytes } from 'node:crypto';
import { activeAuthentication } from '../icao/active-authentication.js';
import { passiveAuthentication } from '../icao/passive-authentication.js';
import { createTestCsca, createTestPassport, type TestCsca } from './passport-factory.js';
import { fixtureFromJson, passportToFixture, PASSPORT_FIXTURE_FORMAT } from './passport-fixture.js';

describe('passport fixtures', () => {
  let csca: TestCsca;

  beforeAll(async () => {
    csca = await createTestCsca();
  });

  it.each(['ecdsa', 'rsa'] as const)('round-trip through JSON and still pass PA and %s AA', async (aa) => {
    const passport = await createTestPassport({ csca, aa, aaRsaHashAlgorithm: 'SHA-1' });
    const json = JSON.stringify(passportToFixture(passport, { csca, description: 'round trip' }));

    const loaded = fixtureFromJson(json);
    const challenge = randomBytes(8);

    expect(loaded.mrzLines).toEqual(passport.mrzLines);
    expect(loaded.photo).toEqual(passport.photo);
    const result = passiveAuthentication(loaded, { cscaCertificates: [loaded.cscaCertificateDer!], now: new Date() });
    expect(result.mrz.surname).toBe('DE BRUIJN');
    expect(
      activeAuthentication({ dg15: loaded.dg15!, challenge, signature: loaded.signChallenge(challenge) }).hashAlgorithm,
    ).toBe(aa === 'rsa' ? 'SHA-1' : 'SHA-256');
  });

  it('uses spec §3 field names and standard padded base64', async () => {
    const fixture = passportToFixture(await createTestPassport({ csca }));
    expect(fixture.format).toBe(PASSPORT_FIXTURE_FORMAT);
    expect(Object.keys(fixture)).toEqual(expect.arrayContaining(['dg1', 'dg2', 'sod']));
    expect(fixture.dg15).toBeUndefined();
    expect(fixture.sod).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(() => fixtureFromJson(fixture).signChallenge(randomBytes(8))).toThrow(/no Active Authentication/);
  });

  it('refuses a file of another format, with unknown fields, or with bad base64', async () => {
    const fixture = passportToFixture(await createTestPassport({ csca }));
    expect(() => fixtureFromJson({ ...fixture, format: 'something-else' })).toThrow();
    expect(() => fixtureFromJson({ ...fixture, surprise: true })).toThrow();
    expect(() => fixtureFromJson({ ...fixture, sod: 'not base64!' })).toThrow();
    expect(() => fixtureFromJson('{')).toThrow();
  });
});
