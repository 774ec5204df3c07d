import { parseArgs } from 'node:util';

/** What one run measures: how many phones, how long, how many logins in flight at once. */
export interface BenchOptions {
  devices: number;
  durationSeconds: number;
  concurrency: number;
}

export const USAGE = `Usage: npm run bench:login -- [--devices N] [--duration SECONDS] [--concurrency C]
  --devices      enrolled phones, each with its own credential (default 50)
  --duration     length of the timed phase in seconds (default 15)
  --concurrency  logins in flight at once; worker i uses phone i mod N (default: --devices)
Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, else embedded PGlite and the in-process store.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer, not "${raw}"`);
  return value;
}

/** Reads the command line; `undefined` means `--help` was asked for. */
export function readOptions(argv: string[]): BenchOptions | undefined {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help) return undefined;
  const devices = positiveInteger('devices', parsed.values.devices, 50);
  return {
    devices,
    durationSeconds: positiveInteger('duration', parsed.values.duration, 15),
    concurrency: positiveInteger('concurrency', parsed.values.concurrency, devices),
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      devices: { type: 'string' },
      duration: { type: 'string' },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}
