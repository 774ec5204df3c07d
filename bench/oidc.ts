import { fileURLToPath } from 'node:url';
import { OIDC_USAGE, readOidcOptions } from './support/oidc-options.js';
import { measureOidcPhases, type OidcPhases } from './support/oidc-phases.js';
import { formatOidcTable, oidcBenchResult, writeOidcResult } from './support/oidc-report.js';
import { runBenchmark } from './support/options.js';
import { BENCH_ADMIN_KEY, startBenchServer } from './support/server.js';

/**
 * OIDC code flows per second (issue 10): the IdP in this process with phones approving each login, then a bare
 * oidc-provider with a trivial interaction, driven by the same client code at the same concurrency for the same
 * time. See bench/README.md for what each number means.
 */
async function main(): Promise<void> {
  const options = readOidcOptions(process.argv.slice(2));
  if (!options) {
    console.log(OIDC_USAGE);
    return;
  }
  const startedAt = new Date().toISOString();
  // The harness, like the tests, takes its PostgreSQL and Redis from the environment (not an AppConfig setting).
  // eslint-disable-next-line no-restricted-properties
  const { DATABASE_URL, REDIS_URL } = process.env;
  const server = await startBenchServer({ databaseUrl: DATABASE_URL || undefined, redisUrl: REDIS_URL || undefined });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`database: ${server.backends.database} · store: ${server.backends.store} · server at ${server.baseUrl}`);
  let phases: OidcPhases;
  try {
    phases = await measureOidcPhases({ ...options, baseUrl: server.baseUrl, adminKey: BENCH_ADMIN_KEY, log });
  } finally {
    await server.close();
  }

  const result = oidcBenchResult({ startedAt, options, backends: server.backends, phases });
  console.log(formatOidcTable(result));
  const file = writeOidcResult(fileURLToPath(new URL('../../bench/results/', import.meta.url)), result);
  log(`\nwritten to ${file}`);
  if (result.idtoken.flowsCompleted === 0 || result.bareOidcProvider.flowsCompleted === 0) process.exitCode = 1;
}

runBenchmark(main, OIDC_USAGE);
