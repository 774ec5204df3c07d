export { AppConfig, ConfigError, loadConfig } from './config/app-config.js';
export type { LogLevel } from './config/config.schema.js';
export { deriveKey } from './crypto/derive-key.js';
export { SecretBox } from './crypto/secret-box.js';
export { bytea } from './database/bytea.js';
export { isUniqueViolation } from './database/unique-violation.js';
export { PreparedStatement } from './database/prepared-statement.js';
export { dataSourceOptions, type PersistenceParts } from './database/data-source-options.js';
export {
  PGLITE_TEMPLATE,
  installedPgliteVersion,
  readTemplateStamp,
  type PgliteTemplateStamp,
} from './database/pglite-template.js';
export { DomainError } from './errors/domain-error.js';
export { ERROR_STATUS, type ErrorCode } from './errors/error-codes.js';
export { PROBLEM_CONTENT_TYPE, toProblem, type ProblemDocument } from './errors/problem.js';
export { configureHttp, requestIdFor } from './http/configure-http.js';
export { decodeBase64Strict } from './http/base64.js';
export {
  PAGE_CSP,
  STYLESHEET_PATH,
  STYLE_CSS,
  chooseLang,
  escapeHtml,
  htmlDocument,
  pageHeaders,
  type Lang,
} from './http/html-page.js';
export { parseRequest } from './http/parse-request.js';
export { RateLimiter } from './http/rate-limiter.js';
export { createRootLogger, PinoNestLogger } from './logging/logger.js';
export { MetricsRegistry } from './metrics/metrics.js';
export { PlatformModule, type PlatformOptions } from './platform.module.js';
export { EphemeralStore, type Unsubscribe } from './store/ephemeral-store.js';
export { HeldSubscription, type HeldSubscriptionOptions } from './store/held-subscription.js';
export { InProcessBackend, InProcessStore } from './store/in-process.store.js';
export { RedisStore, type RedisStoreOptions } from './store/redis.store.js';
export {
  DEFAULT_SNAPSHOT_STALENESS_MS,
  ReloadingSnapshot,
  type ReloadingSnapshotOptions,
} from './store/reloading-snapshot.js';
