export { AppConfig, ConfigError, loadConfig } from "./config/app-config.js";
export type { LogLevel } from "./config/config.schema.js";
export { deriveKey } from "./crypto/derive-key.js";
export { SecretBox } from "./crypto/secret-box.js";
export {
  dataSourceOptions,
  type PersistenceParts,
} from "./database/data-source-options.js";
export { DomainError } from "./errors/domain-error.js";
export { ERROR_STATUS, type ErrorCode } from "./errors/error-codes.js";
export {
  PROBLEM_CONTENT_TYPE,
  toProblem,
  type ProblemDocument,
} from "./errors/problem.js";
export { configureHttp, requestIdFor } from "./http/configure-http.js";
export { createRootLogger, PinoNestLogger } from "./logging/logger.js";
export { MetricsRegistry } from "./metrics/metrics.js";
export { PlatformModule, type PlatformOptions } from "./platform.module.js";
export { EphemeralStore, type Unsubscribe } from "./store/ephemeral-store.js";
export { InProcessBackend, InProcessStore } from "./store/in-process.store.js";
export { RedisStore, type RedisStoreOptions } from "./store/redis.store.js";
