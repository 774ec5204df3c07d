import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z.coerce
  .number({ error: 'must be an integer between 0 and 65535' })
  .int({ error: 'must be an integer between 0 and 65535' })
  .min(0, { error: 'must be an integer between 0 and 65535' })
  .max(65535, { error: 'must be an integer between 0 and 65535' });

const urlWithScheme = (schemes: readonly string[], what: string) =>
  z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    {
      error: `must be a ${what} URL (${schemes.map((s) => `${s}//`).join(' or ')})`,
    },
  );

const issuerUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      // The issuer is compared byte for byte by every relying party: no query, fragment or trailing slash.
      return (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        !url.search &&
        !url.hash &&
        !value.endsWith('/') &&
        !url.username &&
        !url.password
      );
    } catch {
      return false;
    }
  },
  {
    error: 'must be an absolute http(s) URL without query, fragment, credentials or trailing slash',
  },
);

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

const score = z.coerce
  .number({ error: 'must be a number between 0 and 1' })
  .min(0, { error: 'must be a number between 0 and 1' })
  .max(1, { error: 'must be a number between 0 and 1' });

const positiveInteger = z.coerce
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .min(1, { error: 'must be a positive integer' });

const filePath = z.preprocess(emptyAsUndefined, z.string().optional());

/** Production trust material (spec §2 trust store): all of these (TRUST_CERTIFICATES_FILE optional) or none. */
export const TRUST_FILE_SETTINGS = [
  'TRUST_ANCHORS_FILE',
  'IDENTITY_VDS_SIGNER_KEY_FILE',
  'IDENTITY_VDS_SIGNER_CERT_FILE',
  'SERVICE_VDS_SIGNER_KEY_FILE',
  'SERVICE_VDS_SIGNER_CERT_FILE',
  'TRUST_LIST_SIGNER_KEY_FILE',
  'TRUST_LIST_SIGNER_CERT_FILE',
] as const;

/** Every setting the server reads, with its default. Documented in docs/configuration.md. */
export const configSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'test', 'production'], {
        error: 'must be development, test or production',
      })
      .default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: port.default(3000),
    ISSUER_URL: z.preprocess(emptyAsUndefined, issuerUrl.optional()),
    DATABASE_URL: z.preprocess(emptyAsUndefined, urlWithScheme(['postgres:', 'postgresql:'], 'PostgreSQL').optional()),
    DATA_DIR: z.string().min(1).default('./data'),
    REDIS_URL: z.preprocess(emptyAsUndefined, urlWithScheme(['redis:', 'rediss:'], 'Redis').optional()),
    REDIS_PREFIX: z.string().min(1).default('idtoken:'),
    IDTOKEN_MASTER_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
    IDTOKEN_BOOTSTRAP_ADMIN_KEY: z.preprocess(
      emptyAsUndefined,
      z.string().min(24, { error: 'must be at least 24 characters (use a random value)' }).optional(),
    ),
    ENROLL_RATE_LIMIT_PER_HOUR: positiveInteger.default(5),
    // spec §6.1: initiates per client IP per minute (10 by default)…
    INITIATE_RATE_LIMIT_PER_MINUTE: positiveInteger.default(10),
    // …and session starts per tokenId per minute, so nobody floods a phone with pushes.
    INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: positiveInteger.default(5),
    // spec §6.3 push: a Firebase service-account JSON file turns on FCM; the device inbox is on without it.
    FCM_SERVICE_ACCOUNT_FILE: filePath,
    DEVICE_INBOX: z.enum(['auto', 'on', 'off'], { error: 'must be auto, on or off' }).default('auto'),
    // Failed admin authentications (a wrong, revoked or malformed API key) per client IP per minute: past it, that IP's
    // admin requests are refused until the window ends, a right key included — so guessing stays at this pace.
    ADMIN_AUTH_FAILURE_LIMIT_PER_MINUTE: positiveInteger.default(20),
    // SAML SSO/SLO requests per client IP per minute: each runs an XSD validation and holds a pending login.
    SAML_RATE_LIMIT_PER_MINUTE: positiveInteger.default(30),
    // The SAML IdP's entityID (docs/saml.md); ISSUER_URL + /saml/metadata when unset.
    SAML_ENTITY_ID: z.string().trim().min(1).max(1024).optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    TRUST_PROXY: z
      .string()
      .default('false')
      .refine((value) => /^(false|true|[1-9]\d?|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/.test(value), {
        error: 'must be false, true, a number of proxy hops, or a comma-separated list of proxy addresses/CIDRs',
      })
      .transform((value): boolean | number | string[] => {
        if (value === 'false' || value === 'true') return value === 'true';
        if (/^\d+$/.test(value)) return Number(value);
        return value.split(',');
      }),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(0).default(10_000),
    ISSUANCE_MIN_LIVENESS_SCORE: score.default(0.9),
    ISSUANCE_MIN_MATCH_SCORE: score.default(0.8),
    IDENTITY_VDS_MAX_VALIDITY_DAYS: z.coerce
      .number({ error: 'must be a whole number of days between 1 and 3650' })
      .int({ error: 'must be a whole number of days between 1 and 3650' })
      .min(1, { error: 'must be a whole number of days between 1 and 3650' })
      .max(3650, { error: 'must be a whole number of days between 1 and 3650' })
      .default(1825),
    VDS_IAC: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: 'must be 3 upper-case letters A-Z' })
      .default('IDT'),
    // Token keys (docs/decisions.md "Keys and JWKS"): a rotated-in key is published this long before it signs…
    TOKEN_KEY_PUBLISH_AHEAD_SECONDS: z.coerce
      .number({ error: 'must be a whole number of seconds between 0 and 86400' })
      .int({ error: 'must be a whole number of seconds between 0 and 86400' })
      .min(0, { error: 'must be a whole number of seconds between 0 and 86400' })
      .max(86_400, { error: 'must be a whole number of seconds between 0 and 86400' })
      .default(360),
    // …and a retired key stays published this long after it stops signing: at least the longest token lifetime.
    TOKEN_KEY_RETIRED_GRACE_SECONDS: z.coerce
      .number({ error: 'must be a whole number of seconds between 1 and 2592000' })
      .int({ error: 'must be a whole number of seconds between 1 and 2592000' })
      .min(1, { error: 'must be a whole number of seconds between 1 and 2592000' })
      .max(2_592_000, { error: 'must be a whole number of seconds between 1 and 2592000' })
      .default(3600),
    TRUST_ANCHORS_FILE: filePath,
    TRUST_CERTIFICATES_FILE: filePath,
    IDENTITY_VDS_SIGNER_KEY_FILE: filePath,
    IDENTITY_VDS_SIGNER_CERT_FILE: filePath,
    SERVICE_VDS_SIGNER_KEY_FILE: filePath,
    SERVICE_VDS_SIGNER_CERT_FILE: filePath,
    TRUST_LIST_SIGNER_KEY_FILE: filePath,
    TRUST_LIST_SIGNER_CERT_FILE: filePath,
  })
  .superRefine((env, ctx) => {
    // Trust material comes from files as a whole or not at all: half a PKI from files is a mistake, not a mix.
    if (env.TRUST_CERTIFICATES_FILE || TRUST_FILE_SETTINGS.some((name) => env[name])) {
      for (const name of TRUST_FILE_SETTINGS) {
        if (!env[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'is required when any trust file is set (they come as a set)',
          });
        }
      }
    }
    if (env.DEVICE_INBOX === 'off' && !env.FCM_SERVICE_ACCOUNT_FILE) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEVICE_INBOX'],
        message: 'can be off only when FCM_SERVICE_ACCOUNT_FILE is set (a login request must reach the phone somehow)',
      });
    }
    if (env.NODE_ENV === 'production') {
      if (!env.IDTOKEN_MASTER_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['IDTOKEN_MASTER_SECRET'],
          message: 'is required when NODE_ENV=production',
        });
      }
      if (!env.ISSUER_URL?.startsWith('https://')) {
        ctx.addIssue({
          code: 'custom',
          path: ['ISSUER_URL'],
          message: 'must be an https:// URL when NODE_ENV=production',
        });
      }
    }
  });

export type RawConfig = z.output<typeof configSchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];
