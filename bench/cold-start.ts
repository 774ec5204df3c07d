import { fileURLToPath } from 'node:url';
import { COLD_START_USAGE, readColdStartOptions } from './support/cold-start-options.js';
import {
  coldStartBenchResult,
  formatColdStartTable,
  writeColdStartResult,
  type TimedStart,
} from './support/cold-start-report.js';
import { freshDeployment, measureStart } from './support/cold-start-run.js';
import { runBenchmark } from './support/options.js';

/**
 * Embedded start (issue 10): the production entry point on a new empty DATA_DIR with PGlite and the in-process store,
 * from spawn to ready, then again on the same folder (warm). See bench/README.md for what each number means.
 */
async function main(): Promise<void> {
  const options = readColdStartOptions(process.argv.slice(2));
  if (!options) {
    console.log(COLD_START_USAGE);
    return;
  }
  const startedAt = new Date().toISOString();
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const pair = async (run: number, logLevel: 'warn' | 'info'): Promise<{ cold: TimedStart; warm: TimedStart }> => {
    const deployment = freshDeployment();
    try {
      const cold: TimedStart = { run, kind: 'cold', measurement: await measureStart(deployment, logLevel) };
      log(`  cold: ready in ${(cold.measurement.readyMs / 1000).toFixed(2)} s`);
      const warm: TimedStart = { run, kind: 'warm', measurement: await measureStart(deployment, logLevel) };
      log(`  warm: ready in ${(warm.measurement.readyMs / 1000).toFixed(2)} s`);
      return { cold, warm };
    } finally {
      deployment.remove();
    }
  };

  const starts: TimedStart[] = [];
  for (let run = 1; run <= options.runs; run += 1) {
    log(`run ${run}/${options.runs}: a new DATA_DIR, then the same again (LOG_LEVEL=warn)…`);
    const { cold, warm } = await pair(run, 'warn');
    starts.push(cold, warm);
  }
  let breakdown: { cold: TimedStart; warm: TimedStart } | undefined;
  if (options.breakdown) {
    log('breakdown: the same at LOG_LEVEL=info, timing the stages from the log…');
    breakdown = await pair(options.runs + 1, 'info');
  }

  const result = coldStartBenchResult({ startedAt, options, starts, breakdown });
  console.log(formatColdStartTable(result));
  const file = writeColdStartResult(fileURLToPath(new URL('../../bench/results/', import.meta.url)), result);
  log(`\nwritten to ${file}`);
  // A server that did not shut down cleanly on SIGTERM is a failure of the run; a missed target is reported only.
  if (result.starts.some((start) => start.exitCode !== 0)) process.exitCode = 1;
}

runBenchmark(main, COLD_START_USAGE);
