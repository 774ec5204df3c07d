import { DomainError } from '#idtoken/platform';
import type { ServiceEntity } from '#idtoken/services';
import {
  authenticateService,
  authenticatedUnlessPublic,
  exactlyOneServiceReference,
  notLockedOut,
  scopesWithinAllowed,
  trustedWhenRequired,
  type InitiatePorts,
} from './initiate-checks.js';
import { parseBasicCredential } from './service-credential.js';

const service = (overrides: Partial<ServiceEntity> = {}) =>
  ({
    serviceId: 'shop',
    publicInitiate: false,
    requireTrust: true,
    allowedScopes: ['identity:basic', 'identity:age_over_18'],
    defaultScopes: ['identity:name'],
    ...overrides,
  }) as ServiceEntity;

const ports = (overrides: Partial<InitiatePorts> = {}): InitiatePorts => ({
  rateLimiter: { consume: async () => undefined },
  limits: { perIp: 10, perToken: 5 },
  assertions: { authenticate: async () => Promise.reject(new Error('unused')) },
  services: { verifySecret: async (_id, secret) => secret === 'right', getActive: async () => service() },
  serviceIdOfVds: async () => 'shop',
  enrollments: { requireActive: async () => Promise.reject(new Error('unused')) },
  trustBindings: { isTrusted: async () => true },
  sessions: { tokenFailures: async () => 0 },
  ...overrides,
});

const codeOf = async (run: () => unknown): Promise<string | undefined> => {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? error.code : String(error);
  }
};

describe('initiate checks (spec §6.1)', () => {
  it('reads Basic serviceId:secret, and refuses any other Authorization', () => {
    const header = `Basic ${Buffer.from('shop:s3:cret').toString('base64')}`;
    expect(parseBasicCredential(header)).toEqual({ kind: 'secret', serviceId: 'shop', secret: 's3:cret' });
    expect(parseBasicCredential(undefined)).toBeUndefined();
    expect(() => parseBasicCredential('Bearer x')).toThrow(DomainError);
    expect(() => parseBasicCredential(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toThrow(DomainError);
  });

  it('refuses a wrong secret with 401 service_unauthenticated', async () => {
    expect(
      await codeOf(() => authenticateService(ports(), { kind: 'secret', serviceId: 'shop', secret: 'wrong' })),
    ).toBe('service_unauthenticated');
    await expect(authenticateService(ports(), { kind: 'secret', serviceId: 'shop', secret: 'right' })).resolves.toBe(
      'shop',
    );
  });

  it('accepts an unauthenticated initiate only for a publicInitiate service, and never for another service', () => {
    expect(() => authenticatedUnlessPublic(service(), undefined)).toThrow('service_unauthenticated');
    expect(() => authenticatedUnlessPublic(service({ publicInitiate: true }), undefined)).not.toThrow();
    expect(() => authenticatedUnlessPublic(service(), 'other-shop')).toThrow('service_unauthenticated');
  });

  it('wants exactly one of serviceVds or serviceId', () => {
    expect(exactlyOneServiceReference({ serviceId: 'shop' })).toEqual({ serviceId: 'shop' });
    expect(() => exactlyOneServiceReference({})).toThrow('invalid_request');
    expect(() => exactlyOneServiceReference({ serviceId: 'a', serviceVds: 'VDS1:x' })).toThrow('invalid_request');
  });

  it('refuses a missing trust binding only when the service requires trust', async () => {
    const untrusted = ports({ trustBindings: { isTrusted: async () => false } });
    expect(await codeOf(() => trustedWhenRequired(untrusted, service(), 't'))).toBe('service_not_trusted');
    expect(await codeOf(() => trustedWhenRequired(untrusted, service({ requireTrust: false }), 't'))).toBeUndefined();
  });

  it('locks a tokenId out after 30 failed checks', async () => {
    expect(await codeOf(() => notLockedOut(ports({ sessions: { tokenFailures: async () => 29 } }), 't'))).toBe(
      undefined,
    );
    expect(await codeOf(() => notLockedOut(ports({ sessions: { tokenFailures: async () => 30 } }), 't'))).toBe(
      'too_many_attempts',
    );
  });

  it('defaults to defaultScopes, expands composites, and refuses what allowedScopes does not cover', () => {
    expect(scopesWithinAllowed(service(), undefined)).toEqual(['identity:name']);
    expect(scopesWithinAllowed(service(), ['identity:basic'])).toEqual(['identity:name', 'identity:trust_level']);
    expect(() => scopesWithinAllowed(service(), ['identity:full'])).toThrow('invalid_scope');
    expect(() => scopesWithinAllowed(service(), ['identity:shoe_size'])).toThrow('invalid_scope');
  });
});
