import { DomainError } from '#idtoken/platform';
import { checkScopes, createServiceSchema, isLogo, isServiceOrigin, updateServiceSchema } from './service-input.js';

const valid = {
  serviceId: 'demo-shop',
  name: 'Demo Shop',
  url: 'https://shop.example',
  allowedScopes: ['identity:basic', 'identity:age_over_18'],
  defaultScopes: ['identity:name'],
};

const fieldsAtFault = (value: unknown, nodeEnv: 'production' | 'test' = 'production') => {
  const result = createServiceSchema(nodeEnv).safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('service registration input (spec §5, §9)', () => {
  it('accepts the required fields and fills the spec defaults', () => {
    expect(createServiceSchema('production').parse(valid)).toEqual({
      ...valid,
      consentRequired: true,
      requireTrust: true,
      publicInitiate: false,
      subjectType: 'pairwise',
      tokenLifetimeSeconds: 300,
      publicKeys: [],
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a serviceId with upper case', { serviceId: 'Demo' }, 'serviceId'],
    ['a serviceId ending in "-"', { serviceId: 'demo-' }, 'serviceId'],
    ['a name of 65 characters', { name: 'x'.repeat(65) }, 'name'],
    ['an empty name', { name: '  ' }, 'name'],
    ['a url with a path', { url: 'https://shop.example/login' }, 'url'],
    ['a url with a trailing slash', { url: 'https://shop.example/' }, 'url'],
    ['an http url', { url: 'http://shop.example' }, 'url'],
    ['no allowed scopes', { allowedScopes: [] }, 'allowedScopes'],
    ['scopes that are not strings', { defaultScopes: [1] }, 'defaultScopes.0'],
    ['an http logo', { logoUrl: 'http://shop.example/logo.png' }, 'logoUrl'],
    ['a subjectType outside the list', { subjectType: 'email' }, 'subjectType'],
    ['a token lifetime of an hour and a second', { tokenLifetimeSeconds: 3601 }, 'tokenLifetimeSeconds'],
    ['an unknown field', { secretHash: 'x' }, ''],
  ])('refuses %s, naming the field', (_case, change, field) => {
    expect(fieldsAtFault({ ...valid, ...change })).toEqual([field]);
  });

  it('accepts http://localhost only outside production', () => {
    expect(isServiceOrigin('http://localhost:3000', 'test')).toBe(true);
    expect(isServiceOrigin('http://127.0.0.1:8080', 'development')).toBe(true);
    expect(isServiceOrigin('http://localhost:3000', 'production')).toBe(false);
    expect(isServiceOrigin('http://shop.example', 'test')).toBe(false);
    expect(fieldsAtFault({ ...valid, url: 'http://localhost:3000' }, 'test')).toEqual([]);
  });

  it('takes a logo as an https URL or a data:image URL of at most 4096 bytes', () => {
    expect(isLogo('https://shop.example/logo.png')).toBe(true);
    expect(isLogo('data:image/png;base64,iVBORw0KGgo=')).toBe(true);
    expect(isLogo(`data:image/png;base64,${'A'.repeat(4096)}`)).toBe(false);
    expect(isLogo('data:text/html,<script>')).toBe(false);
  });

  it('lets a change name any subset of fields, but not serviceId and not none', () => {
    const schema = updateServiceSchema('production');
    expect(schema.parse({ name: 'New name', logoUrl: null })).toEqual({ name: 'New name', logoUrl: null });
    expect(schema.safeParse({ serviceId: 'other' }).success).toBe(false);
    expect(schema.safeParse({}).success).toBe(false);
  });
});

describe('service scopes (spec §7)', () => {
  const refusal = (allowed: string[], defaults: string[]) => {
    try {
      checkScopes(allowed, defaults);
    } catch (error) {
      return error as DomainError;
    }
    throw new Error('expected a refusal');
  };

  it('accepts defaults within the allowed scopes after expanding composites, and drops duplicates', () => {
    expect(checkScopes(['identity:basic', 'identity:basic'], ['identity:name'])).toEqual({
      allowedScopes: ['identity:basic'],
      defaultScopes: ['identity:name'],
    });
  });

  it('refuses an unknown scope with 422 invalid_scope naming it', () => {
    const error = refusal(['identity:basic', 'identity:shoe_size'], []);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('invalid_scope');
    expect(error.extensions).toEqual({ field: 'allowedScopes', unknownScopes: ['identity:shoe_size'] });
  });

  it('refuses defaultScopes that release more than allowedScopes', () => {
    const error = refusal(['identity:basic'], ['identity:full']);
    expect(error.code).toBe('invalid_scope');
    expect(error.extensions).toEqual({ field: 'defaultScopes' });
  });
});
