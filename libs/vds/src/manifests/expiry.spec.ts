import { identityPayload, servicePayload } from '../testing/vds-test-kit.js';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST } from '../types.js';
import { isVdsExpired, vdsExpiresAt } from './expiry.js';

describe('expiry (spec §2 step 6)', () => {
  describe('identity VDS: exp is a date, good through the end of that UTC day', () => {
    const payload = identityPayload({ exp: '2030-12-31' });
    const at = (iso: string) => isVdsExpired(IDENTITY_MANIFEST, payload, new Date(iso));

    it('is valid during its last day, to the last millisecond', () => {
      expect(at('2030-12-31T00:00:00.000Z')).toBe(false);
      expect(at('2030-12-31T23:59:59.999Z')).toBe(false);
    });

    it('is expired once that UTC day has ended', () => {
      expect(at('2031-01-01T00:00:00.000Z')).toBe(true);
    });

    it('reports the instant it expires', () => {
      expect(vdsExpiresAt(IDENTITY_MANIFEST, payload).toISOString()).toBe('2031-01-01T00:00:00.000Z');
      expect(vdsExpiresAt(IDENTITY_MANIFEST, identityPayload({ exp: '2028-02-29' })).toISOString()).toBe(
        '2028-03-01T00:00:00.000Z',
      );
    });
  });

  describe('Service VDS: exp is Unix seconds, expired on or after it (as JWT exp)', () => {
    const payload = servicePayload({ exp: 1_800_000_000 });
    const at = (seconds: number) => isVdsExpired(SERVICE_MANIFEST, payload, new Date(seconds * 1000));

    it('is valid one millisecond before exp', () => {
      expect(isVdsExpired(SERVICE_MANIFEST, payload, new Date(1_800_000_000 * 1000 - 1))).toBe(false);
    });

    it('is expired at exp and after', () => {
      expect(at(1_800_000_000)).toBe(true);
      expect(at(1_800_000_001)).toBe(true);
    });
  });

  it('has no rule for an unknown manifest', () => {
    expect(() => vdsExpiresAt(0x0a0003, servicePayload())).toThrow(RangeError);
  });
});
