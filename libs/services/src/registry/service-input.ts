import { z } from 'zod';
import { DomainError } from '#idtoken/platform';
import { ScopeError, isSubset, parseScopes, type Scope } from '#idtoken/claims';
import { SUBJECT_TYPES } from './service.entity.js';
import { oidcClientSettingsSchema } from './oidc-client-settings.js';
import { publicKeysField } from './service-public-keys.js';

// Request shapes of spec §9 `POST /admin/services` and `PATCH /admin/services/{serviceId}`. Shape errors are
// `400 invalid_request` naming the fields (parseRequest); scope errors are `422 invalid_scope` (checkScopes).

export type NodeEnv = 'development' | 'test' | 'production';

const parseUrl = (value: string): URL | undefined => {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
};

const LOCALHOST = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * spec §2/§5 `url`: an https origin, exactly as a browser's Origin header spells it. In development and test an
 * http origin on localhost is accepted too, so a relying party on a laptop can register (docs/decisions.md).
 */
export function isServiceOrigin(value: string, nodeEnv: NodeEnv): boolean {
  const url = parseUrl(value);
  if (!url || url.origin !== value) return false;
  if (url.protocol === 'https:') return true;
  return nodeEnv !== 'production' && url.protocol === 'http:' && LOCALHOST.has(url.hostname);
}

const DATA_IMAGE_URL = /^data:image\/[a-z0-9.+-]+(?:;[a-z0-9.+=-]+)*,/i;
export const MAX_LOGO_BYTES = 4096;

/** spec §2 `logo`: an https URL or a data:image/… URL, at most 4096 bytes. */
export function isLogo(value: string): boolean {
  if (Buffer.byteLength(value, 'utf8') > MAX_LOGO_BYTES) return false;
  return DATA_IMAGE_URL.test(value) || parseUrl(value)?.protocol === 'https:';
}

/** spec §5 serviceId: a slug (the same rule as the Service VDS `sid`). */
const serviceId = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$/, 'must be a slug of 1 to 64 characters (a-z, 0-9, "-", "_")');

/** spec §2 `name` ≤ 64, counted in characters (code points) like the manifest. */
const name = z
  .string()
  .trim()
  .refine((value) => [...value].length >= 1 && [...value].length <= 64, 'must be 1 to 64 characters');

const logoUrl = z
  .string()
  .refine(isLogo, `must be an https URL or a data:image/… URL of at most ${MAX_LOGO_BYTES} bytes`);
const httpsUrl = z
  .string()
  .max(2048)
  .refine((value) => parseUrl(value)?.protocol === 'https:', 'must be an https URL');
const scopeList = z.array(z.string().min(1).max(100)).max(50);

/** Token lifetime: at least 30 s; at most 3600 s, the default retired-key grace of libs/keys (signJwt enforces it). */
const tokenLifetimeSeconds = z.number().int().min(30).max(3600);

function fields(nodeEnv: NodeEnv) {
  return {
    name,
    url: z
      .string()
      .refine(
        (value) => isServiceOrigin(value, nodeEnv),
        nodeEnv === 'production'
          ? 'must be an https origin (https://host[:port], no path or trailing slash)'
          : 'must be an https origin (https://host[:port], no path or trailing slash), or http://localhost[:port]',
      ),
    allowedScopes: scopeList.min(1),
    defaultScopes: scopeList,
    logoUrl: logoUrl.nullable(),
    privacyPolicyUrl: httpsUrl.nullable(),
    consentRequired: z.boolean(),
    requireTrust: z.boolean(),
    publicInitiate: z.boolean(),
    subjectType: z.enum(SUBJECT_TYPES),
    tokenLifetimeSeconds,
    publicKeys: publicKeysField,
    oidc: oidcClientSettingsSchema(nodeEnv).nullable(),
  };
}

export function createServiceSchema(nodeEnv: NodeEnv) {
  const f = fields(nodeEnv);
  return z
    .object({
      serviceId,
      name: f.name,
      url: f.url,
      allowedScopes: f.allowedScopes,
      defaultScopes: f.defaultScopes,
      logoUrl: f.logoUrl.optional(),
      privacyPolicyUrl: f.privacyPolicyUrl.optional(),
      consentRequired: f.consentRequired.default(true),
      requireTrust: f.requireTrust.default(true),
      publicInitiate: f.publicInitiate.default(false),
      subjectType: f.subjectType.default('pairwise'),
      tokenLifetimeSeconds: f.tokenLifetimeSeconds.default(300),
      publicKeys: f.publicKeys.default([]),
      oidc: f.oidc.optional(),
    })
    .strict();
}

/** Every field but serviceId may change; `null` clears an optional one. At least one field. */
export function updateServiceSchema(nodeEnv: NodeEnv) {
  return z
    .object(fields(nodeEnv))
    .partial()
    .strict()
    .refine((value) => Object.keys(value).length > 0, 'must change at least one field');
}

export type CreateServiceInput = z.output<ReturnType<typeof createServiceSchema>>;
export type UpdateServiceInput = z.output<ReturnType<typeof updateServiceSchema>>;

/**
 * spec §5/§7: both lists hold known scopes only (unknown scopes are errors, never ignored) and the defaults
 * release nothing the allowed scopes do not (compared after expanding composites). Returns them deduplicated.
 */
export function checkScopes(
  allowedScopes: readonly string[],
  defaultScopes: readonly string[],
): { allowedScopes: Scope[]; defaultScopes: Scope[] } {
  const allowed = parseScopeList(allowedScopes, 'allowedScopes');
  const defaults = parseScopeList(defaultScopes, 'defaultScopes');
  if (!isSubset(defaults, allowed)) {
    throw new DomainError('invalid_scope', 'defaultScopes must be within allowedScopes', {
      field: 'defaultScopes',
    });
  }
  return { allowedScopes: allowed, defaultScopes: defaults };
}

function parseScopeList(scopes: readonly string[], field: string): Scope[] {
  try {
    return parseScopes(scopes);
  } catch (error) {
    if (error instanceof ScopeError) {
      throw new DomainError(error.code, `${field}: ${error.detail}`, { field, unknownScopes: error.unknownScopes });
    }
    throw error;
  }
}
