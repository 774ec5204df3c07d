import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CAPACITY_USAGE, readCapacityOptions } from './support/capacity-options.js';
import { capacityBenchResult, formatCapacityTable, writeCapacityResult } from './support/capacity-report.js';
import { measureCapacity } from './support/capacity-run.js';
import { openFileLimit, openFileShortfall } from './support/open-file-limit.js';
import { runBenchmark, UsageError } from './support/options.js';
import { tokenIdsOf } from './support/pending-sessions.js';
import { populate } from './support/population.js';
import { startServerNodes } from './support/server-nodes.js';
import { BENCH_ADMIN_KEY, prepareBackends, startInProcessServer } from './support/server.js';

/**
 * Capacity (issue 10): N pending sessions (spec §6.1), each with its browser socket on `/session` that got
 * `otp_ready` and stays connected, held at once by one server process; its memory and event-loop lag while holding
 * them. Phones are enrolled by a server in this process, which is then closed, so the server process measured holds
 * nothing but the run's sessions. See bench/README.md for what each number means.
 */
async function main(): Promise<void> {
  const options = readCapacityOptions(process.argv.slice(2));
  if (!options) {
    console.log(CAPACITY_USAGE);
    return;
  }
  const shortfall = openFileShortfall(options.sessions, options.batch);
  if (shortfall) throw new UsageError(shortfall);
  const startedAt = new Date().toISOString();
  // The harness, like the tests, takes its PostgreSQL and Redis from the environment (not an AppConfig setting).
  // eslint-disable-next-line no-restricted-properties
  const { DATABASE_URL, REDIS_URL } = process.env;
  const prepared = await prepareBackends({ databaseUrl: DATABASE_URL || undefined, redisUrl: REDIS_URL || undefined });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`database: ${prepared.backends.database} · store: ${prepared.backends.store}`);
  try {
    const setupStarted = performance.now();
    const inProcess = await startInProcessServer(prepared.settings);
    let population: Awaited<ReturnType<typeof populate>>;
    try {
      log(`setting up ${options.devices} phones (issue, enroll, trust)…`);
      population = await populate(inProcess.baseUrl, BENCH_ADMIN_KEY, options.devices, (done) => {
        if (done % 10 === 0 || done === options.devices) log(`  ${done}/${options.devices} phones ready`);
      });
    } finally {
      // PGlite admits one process at a time: the server process opens the data after this one has closed it.
      await inProcess.close();
    }
    try {
      const [node] = await startServerNodes(prepared.settings, 1, {
        cpuProfileDir: options.cpuProfile
          ? fileURLToPath(new URL('../../bench/results/profiles/', import.meta.url))
          : undefined,
      });
      if (!node) throw new Error('no server process');
      const setupSeconds = (performance.now() - setupStarted) / 1000;
      try {
        log(`opening ${options.sessions} pending sessions with their sockets, ${options.batch} at a time…`);
        const outcome = await measureCapacity({
          baseUrl: node.baseUrl,
          service: population.service,
          tokenIds: tokenIdsOf(population.phones),
          sessions: options.sessions,
          batch: options.batch,
          holdSeconds: options.holdSeconds,
          serverUsage: node.usage,
          log,
        });
        const result = capacityBenchResult({
          startedAt,
          options,
          backends: prepared.backends,
          openFileLimit: { client: openFileLimit(), server: openFileLimit(node.pid) },
          setupSeconds,
          outcome,
        });
        console.log(formatCapacityTable(result));
        const file = writeCapacityResult(fileURLToPath(new URL('../../bench/results/', import.meta.url)), result);
        log(`\nwritten to ${file}`);
        if (result.sessions.connected === 0 || !result.afterClose.healthy) process.exitCode = 1;
      } finally {
        await node.close();
      }
    } finally {
      population.dispose();
    }
  } finally {
    await prepared.dispose();
  }
}

runBenchmark(main, CAPACITY_USAGE);
