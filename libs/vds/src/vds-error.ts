import type { VdsErrorCode } from './types.js';

/**
 * What this library throws for a credential that fails spec §2: the step's error code and a human explanation.
 * Shaped like the platform's DomainError so that each transport maps `code` once.
 */
export class VdsError extends Error {
  override readonly name = 'VdsError';

  constructor(
    readonly code: VdsErrorCode,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}`, options);
  }
}
