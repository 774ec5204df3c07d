import type { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';

/**
 * Validates a request body, query or params against a zod schema. Failures become one
 * `invalid_request` problem listing every field at fault (`errors: [{ path, message }]`).
 */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  throw new DomainError(
    'invalid_request',
    `Invalid ${what}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    {
      errors,
    },
  );
}
