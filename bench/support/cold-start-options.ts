import { parseArgs } from 'node:util';
import { positiveInteger, readCommandLine } from './options.js';

/** How many starts one cold-start run times. */
export interface ColdStartBenchOptions {
  runs: number;
  /** One more cold and warm start at LOG_LEVEL=info, to tell from the log what the start spends its time on. */
  breakdown: boolean;
}

export const COLD_START_USAGE = `Usage: npm run bench:cold-start -- [--runs N] [--no-breakdown]
  --runs          cold starts, each on a new empty DATA_DIR and each followed by a warm start on the same folder
                  (default 3)
  --no-breakdown  skip the extra cold and warm start at LOG_LEVEL=info that times the stages of the start
Runs node dist/apps/idp/src/main.js with embedded PGlite and the in-process store (no DATABASE_URL, no REDIS_URL),
NODE_ENV=development, LOG_LEVEL=warn, and times spawn → the first 200 of GET /health/ready.`;

/** Reads the command line; `undefined` means `--help` was asked for. */
export function readColdStartOptions(argv: string[]): ColdStartBenchOptions | undefined {
  const parsed = readCommandLine(() => parse(argv));
  if (parsed.values.help) return undefined;
  return {
    runs: positiveInteger('runs', parsed.values.runs, 3),
    breakdown: parsed.values.breakdown,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      breakdown: { type: 'boolean', default: true },
      help: { type: 'boolean', short: 'h' },
    },
    allowNegative: true,
    strict: true,
  });
}
