/**
 * Whether an error means a dependency (PostgreSQL or Redis) is not answering, rather than a bug: the request is then
 * answered `503 service_unavailable` with Retry-After, quickly (ioredis gives up after two reconnect attempts; a
 * refused TCP connection fails at once), and the service resumes by itself when the dependency is back.
 */
export function unavailableDependency(error: unknown): 'database' | 'ephemeral store' | undefined {
  // Duck-typed, not `instanceof Error`: socket errors are made by Node's core, which may be another realm (a VM).
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, message, code: rawCode } = error as { name?: unknown; message?: unknown; code?: unknown };
  if (typeof message !== 'string') return undefined;
  const code = String(rawCode ?? '');
  // ioredis: a command that outlived its reconnect attempts, or was sent on a closed connection.
  if (name === 'MaxRetriesPerRequestError' || /Connection is closed|Stream isn't writeable/.test(message)) {
    return 'ephemeral store';
  }
  // node-postgres / TypeORM: refused, reset or dropped connections; PostgreSQL shutting down or starting
  // (SQLSTATE class 08 connection exceptions, 57P01-57P03).
  if (
    /^(08\d{3}|57P0[1-3])$/.test(code) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
      message,
    )
  ) {
    return 'database';
  }
  const cause =
    (error as { cause?: unknown; driverError?: unknown }).driverError ?? (error as { cause?: unknown }).cause;
  return cause && cause !== error ? unavailableDependency(cause) : undefined;
}
