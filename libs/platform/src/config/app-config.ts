import { resolve } from 'node:path';
import { configSchema, type LogLevel } from './config.schema.js';
import { decodeMasterSecret, loadOrCreateDevMasterSecret } from './master-secret.js';

/** A configuration that cannot be used: the message is one line naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The validated, typed settings of one server process. The class is its own DI token;
 * nothing outside this folder reads process.env.
 */
export class AppConfig {
  readonly nodeEnv: 'development' | 'test' | 'production';
  readonly host: string;
  readonly port: number;
  /** Public base URL, byte-exact in every token and metadata document. */
  readonly issuerUrl: string;
  readonly databaseUrl: string | undefined;
  /** Absolute path; holds the embedded database and, in development, the generated master secret. */
  readonly dataDir: string;
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so deployments can share one Redis. */
  readonly redisPrefix: string;
  /** MASTER of spec §1. */
  readonly masterSecret: Buffer;
  /** IDTOKEN_BOOTSTRAP_ADMIN_KEY: that exact string is an admin API key (spec §9), for the first admin. */
  readonly bootstrapAdminKey: string | undefined;
  /** POST /enroll attempts allowed per client IP per hour (spec §4: 5 by default). */
  readonly enrollRateLimitPerHour: number;
  readonly logLevel: LogLevel;
  readonly trustProxy: boolean;
  readonly shutdownTimeoutMs: number;

  constructor(values: Omit<AppConfig, 'isProduction' | 'describe'>) {
    Object.assign(this, values);
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  /** What the server runs on, for the start-up line; never secrets. */
  describe(): { database: string; ephemeralStore: string; issuer: string } {
    return {
      database: this.databaseUrl
        ? `PostgreSQL ${new URL(this.databaseUrl).host}`
        : `embedded PGlite in ${this.dataDir}`,
      ephemeralStore: this.redisUrl ? `Redis ${new URL(this.redisUrl).host}` : 'in-process',
      issuer: this.issuerUrl,
    };
  }
}

export interface LoadConfigOptions {
  /** Called with a loud warning, e.g. when a development master secret is generated. */
  warn?: (message: string) => void;
}

/** Validates the environment once at start. Throws ConfigError with one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'configuration');
      const given = env[name];
      const shown = given === undefined || /SECRET|KEY|PASSWORD/.test(name) ? '' : ` (got ${JSON.stringify(given)})`;
      return `${name} ${issue.message}${shown}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const raw = parsed.data;
  const dataDir = resolve(raw.DATA_DIR);

  let masterSecret: Buffer;
  if (raw.IDTOKEN_MASTER_SECRET !== undefined) {
    const decoded = decodeMasterSecret(raw.IDTOKEN_MASTER_SECRET);
    if (!decoded) {
      throw new ConfigError(
        'Invalid configuration: IDTOKEN_MASTER_SECRET must be at least 32 bytes, written as hex or base64',
      );
    }
    masterSecret = decoded;
  } else {
    const dev = loadOrCreateDevMasterSecret(dataDir);
    masterSecret = dev.secret;
    if (dev.created) {
      options.warn?.(
        `IDTOKEN_MASTER_SECRET is not set: generated a development master secret in ${dev.path}. ` +
          "Anyone who reads that file can mint this server's OTPs and decrypt its keys. Set IDTOKEN_MASTER_SECRET in production.",
      );
    }
  }

  return new AppConfig({
    nodeEnv: raw.NODE_ENV,
    host: raw.HOST,
    port: raw.PORT,
    issuerUrl: raw.ISSUER_URL ?? `http://localhost:${raw.PORT}`,
    databaseUrl: raw.DATABASE_URL,
    dataDir,
    redisUrl: raw.REDIS_URL,
    redisPrefix: raw.REDIS_PREFIX,
    masterSecret,
    bootstrapAdminKey: raw.IDTOKEN_BOOTSTRAP_ADMIN_KEY,
    enrollRateLimitPerHour: raw.ENROLL_RATE_LIMIT_PER_HOUR,
    logLevel: raw.LOG_LEVEL,
    trustProxy: raw.TRUST_PROXY,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
  });
}
