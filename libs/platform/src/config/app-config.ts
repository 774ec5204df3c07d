import { resolve } from 'node:path';
import { configSchema, type LogLevel, type RawConfig } from './config.schema.js';
import { decodeMasterSecret, loadOrCreateDevMasterSecret } from './master-secret.js';

/** Files holding the production trust material (spec §2 trust store), PEM. */
export interface TrustFiles {
  /** TRUST_ANCHORS_FILE: the trust anchors' certificates. */
  anchors: string;
  /** TRUST_CERTIFICATES_FILE: further CA and signing certificates of the trust service list. */
  certificates: string | undefined;
  identityVdsSigner: { keyFile: string; certFile: string };
  serviceVdsSigner: { keyFile: string; certFile: string };
  /** Signs /trust/tsl and /trust/vrl (a production anchor key stays offline). */
  trustListSigner: { keyFile: string; certFile: string };
}

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
  /** The SAML IdP's entityID: SAML_ENTITY_ID, or ISSUER_URL + `/saml/metadata`. */
  readonly samlEntityId: string;
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
  /** spec §6.1: initiates per client IP per minute. */
  readonly initiateRateLimitPerMinute: number;
  /** SAML SSO, SLO and IdP-initiated requests per client IP per minute. */
  readonly samlRateLimitPerMinute: number;
  readonly adminAuthFailureLimitPerMinute: number;
  /** Session starts per tokenId per minute: bounds the pushes anyone can send to one phone. */
  readonly initiatePerTokenLimitPerMinute: number;
  /** spec §6.3 push channels: FCM when a service-account file is given; the device inbox unless turned off. */
  readonly push: { fcmServiceAccountFile: string | undefined; deviceInbox: boolean };
  readonly logLevel: LogLevel;
  /**
   * Which X-Forwarded-For hops to believe (Fastify `trustProxy`): false, a hop count, or proxy addresses/CIDRs.
   * `true` believes every hop — the client can then choose its own IP (rate limits, audit): only behind a proxy
   * that overwrites the header.
   */
  readonly trustProxy: boolean | number | string[];
  readonly shutdownTimeoutMs: number;
  /** IAC of the VDS PREFIX (spec §2): the scheme operator, 3 upper-case letters. */
  readonly vdsIac: string;
  /** Spec §3: face scores below these are refused (`liveness_failed`). */
  readonly issuanceMinLivenessScore: number;
  readonly issuanceMinMatchScore: number;
  /** An identity VDS ends with its document, and never later than this many days after issuance. */
  readonly identityVdsMaxValidityDays: number;
  /** A rotated-in token-signing key is published this long before it signs (verifiers must see it first). */
  readonly tokenKeyPublishAheadSeconds: number;
  /** A retired token-signing key stays in the JWKS this long after it stops signing; ≥ the longest token lifetime. */
  readonly tokenKeyRetiredGraceSeconds: number;
  /** Production trust material; undefined → the development PKI kept in the database (never in production). */
  readonly trustFiles: TrustFiles | undefined;

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
    samlEntityId: raw.SAML_ENTITY_ID ?? `${raw.ISSUER_URL ?? `http://localhost:${raw.PORT}`}/saml/metadata`,
    databaseUrl: raw.DATABASE_URL,
    dataDir,
    redisUrl: raw.REDIS_URL,
    redisPrefix: raw.REDIS_PREFIX,
    masterSecret,
    bootstrapAdminKey: raw.IDTOKEN_BOOTSTRAP_ADMIN_KEY,
    enrollRateLimitPerHour: raw.ENROLL_RATE_LIMIT_PER_HOUR,
    initiateRateLimitPerMinute: raw.INITIATE_RATE_LIMIT_PER_MINUTE,
    initiatePerTokenLimitPerMinute: raw.INITIATE_PER_TOKEN_LIMIT_PER_MINUTE,
    samlRateLimitPerMinute: raw.SAML_RATE_LIMIT_PER_MINUTE,
    adminAuthFailureLimitPerMinute: raw.ADMIN_AUTH_FAILURE_LIMIT_PER_MINUTE,
    push: {
      fcmServiceAccountFile: raw.FCM_SERVICE_ACCOUNT_FILE ? resolve(raw.FCM_SERVICE_ACCOUNT_FILE) : undefined,
      // auto: the inbox serves devices whenever FCM is not configured (spec §6.3); `on` keeps both.
      deviceInbox: raw.DEVICE_INBOX === 'on' || (raw.DEVICE_INBOX === 'auto' && !raw.FCM_SERVICE_ACCOUNT_FILE),
    },
    logLevel: raw.LOG_LEVEL,
    trustProxy: raw.TRUST_PROXY,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    vdsIac: raw.VDS_IAC,
    issuanceMinLivenessScore: raw.ISSUANCE_MIN_LIVENESS_SCORE,
    issuanceMinMatchScore: raw.ISSUANCE_MIN_MATCH_SCORE,
    identityVdsMaxValidityDays: raw.IDENTITY_VDS_MAX_VALIDITY_DAYS,
    tokenKeyPublishAheadSeconds: raw.TOKEN_KEY_PUBLISH_AHEAD_SECONDS,
    tokenKeyRetiredGraceSeconds: raw.TOKEN_KEY_RETIRED_GRACE_SECONDS,
    trustFiles: trustFiles(raw),
  });
}

/** The trust files when set; the schema has already refused a partial set. */
function trustFiles(raw: RawConfig): TrustFiles | undefined {
  const anchors = raw.TRUST_ANCHORS_FILE;
  const [identityKey, identityCert] = [raw.IDENTITY_VDS_SIGNER_KEY_FILE, raw.IDENTITY_VDS_SIGNER_CERT_FILE];
  const [serviceKey, serviceCert] = [raw.SERVICE_VDS_SIGNER_KEY_FILE, raw.SERVICE_VDS_SIGNER_CERT_FILE];
  const [listKey, listCert] = [raw.TRUST_LIST_SIGNER_KEY_FILE, raw.TRUST_LIST_SIGNER_CERT_FILE];
  if (!anchors || !identityKey || !identityCert || !serviceKey || !serviceCert || !listKey || !listCert)
    return undefined;
  const pair = (keyFile: string, certFile: string) => ({ keyFile: resolve(keyFile), certFile: resolve(certFile) });
  return {
    anchors: resolve(anchors),
    certificates: raw.TRUST_CERTIFICATES_FILE ? resolve(raw.TRUST_CERTIFICATES_FILE) : undefined,
    identityVdsSigner: pair(identityKey, identityCert),
    serviceVdsSigner: pair(serviceKey, serviceCert),
    trustListSigner: pair(listKey, listCert),
  };
}
