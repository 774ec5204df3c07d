import { SERVICE_MANIFEST, validatePayload } from '#idtoken/vds';
import {
  DEFAULT_SERVICE_LOGO,
  SERVICE_VDS_VALIDITY_DAYS,
  needsNewServiceVds,
  servicePayloadFor,
  type ServiceIdentity,
} from './service-vds-payload.js';

const service: ServiceIdentity = {
  serviceId: 'demo-shop',
  name: 'Demo Shop',
  url: 'https://shop.example',
  logoUrl: 'https://shop.example/logo.png',
  allowedScopes: ['identity:basic', 'identity:age_over_18'],
};
const ISSUER = 'https://id.example';
const NOW = new Date('2026-03-01T12:00:00.500Z');
const DAY_MS = 86_400_000;

describe('Service VDS payload (spec §2 manifest 0x0A0002)', () => {
  it('holds every required key, valid for the manifest, for SERVICE_VDS_VALIDITY_DAYS', () => {
    const payload = servicePayloadFor(service, ISSUER, NOW);
    expect(payload).toEqual({
      sid: 'demo-shop',
      name: 'Demo Shop',
      url: 'https://shop.example',
      logo: 'https://shop.example/logo.png',
      scp: ['identity:basic', 'identity:age_over_18'],
      iat: 1_772_366_400,
      exp: 1_772_366_400 + SERVICE_VDS_VALIDITY_DAYS * 86_400,
      iss: ISSUER,
    });
    expect(validatePayload(SERVICE_MANIFEST, payload)).toEqual(payload);
  });

  it('uses the default logo, itself a valid manifest logo, when the service has none', () => {
    const payload = servicePayloadFor({ ...service, logoUrl: null }, ISSUER, NOW);
    expect(payload.logo).toBe(DEFAULT_SERVICE_LOGO);
    expect(validatePayload(SERVICE_MANIFEST, payload)).toEqual(payload);
  });

  describe('re-issue', () => {
    const current = servicePayloadFor(service, ISSUER, NOW);

    it('keeps the current VDS while nothing it shows changed and it is more than 30 days from expiry', () => {
      expect(needsNewServiceVds(current, service, ISSUER, new Date(NOW.getTime() + 59 * DAY_MS))).toBe(false);
    });

    it('replaces it 30 days before expiry', () => {
      expect(needsNewServiceVds(current, service, ISSUER, new Date(NOW.getTime() + 60 * DAY_MS))).toBe(true);
    });

    it.each<[string, Partial<ServiceIdentity>]>([
      ['name', { name: 'Demo Shop 2' }],
      ['url', { url: 'https://shop2.example' }],
      ['logo', { logoUrl: null }],
      ['scopes', { allowedScopes: ['identity:basic'] }],
      ['scope order', { allowedScopes: ['identity:age_over_18', 'identity:basic'] }],
    ])('replaces it when the %s changes', (_field, change) => {
      expect(needsNewServiceVds(current, { ...service, ...change }, ISSUER, NOW)).toBe(true);
    });

    it('issues one when there is none, or when the issuer URL changed', () => {
      expect(needsNewServiceVds(undefined, service, ISSUER, NOW)).toBe(true);
      expect(needsNewServiceVds(current, service, 'https://id2.example', NOW)).toBe(true);
    });
  });
});
