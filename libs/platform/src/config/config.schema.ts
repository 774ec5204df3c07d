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
    ENROLL_RATE_LIMIT_PER_HOUR: z.coerce
      .number({ error: 'must be a positive integer' })
      .int({ error: 'must be a positive integer' })
      .min(1, { error: 'must be a positive integer' })
      .default(5),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    TRUST_PROXY: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(0).default(10_000),
  })
  .superRefine((env, ctx) => {
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
