import { QueryFailedError } from 'typeorm';

/** PostgreSQL (and PGlite) `unique_violation`: the constraint let exactly one of two racing writes win. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';
}
