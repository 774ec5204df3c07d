import { parseArgs } from 'node:util';

/** What one run measures: how many phones, how long, how many logins in flight at once. */
export interface BenchOptions {
  devices: number;
  durationSeconds: number;
  concurrency: number;
  /** Server process counts to run the timed phase with, in turn (e.g. [1, 2]). */
  nodes: number[];
  /** Run each server process with `node --cpu-prof`, profiles written to bench/results/profiles/. */
  cpuProfile: boolean;
  /**
   * The bare loop and the first timed phase alternate in this many slices each (A B B A …), so the machine's drift
   * falls on both sides of the ratio; 1 runs them one after the other (always so on PGlite).
   */
  slices: number;
}

export const USAGE = `Usage: npm run bench:login -- [--devices N] [--duration SECONDS] [--concurrency C] [--nodes 1,2]
  --devices      enrolled phones, each with its own credential (default 50)
  --duration     length of each timed phase in seconds (default 15)
  --concurrency  logins in flight at once; worker i uses phone i mod N (default: --devices)
  --nodes        server processes for the timed phase, one phase per count (default 1,2 with PostgreSQL and Redis,
                 else 1: several nodes must share both)
  --slices       the bare loop and the first timed phase alternate in this many slices each, --duration split
                 among them (default 4 with PostgreSQL and Redis; 1, one after the other, on PGlite)
  --cpu-prof     profile each server process (node --cpu-prof) into bench/results/profiles/
Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, else embedded PGlite and the in-process store.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An option's value as a positive integer (`fallback` when absent); anything else is a UsageError naming it. */
export function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer, not "${raw}"`);
  return value;
}

function nodeCounts(raw: string | undefined, shared: boolean): number[] {
  if (raw === undefined) return shared ? [1, 2] : [1];
  const counts = raw.split(',').map((part) => positiveInteger('nodes', part.trim(), 1));
  if (!shared && counts.some((count) => count > 1)) {
    throw new UsageError('--nodes above 1 needs DATABASE_URL and REDIS_URL: the nodes must share PostgreSQL and Redis');
  }
  return counts;
}

/** Runs a `parseArgs` call; its refusal (an unknown option, a missing value) becomes a UsageError. */
export function readCommandLine<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Reads the command line; `undefined` means `--help` was asked for. `shared`: PostgreSQL and Redis are configured,
 * so several server processes can share the data.
 */
export function readOptions(argv: string[], shared: boolean): BenchOptions | undefined {
  const parsed = readCommandLine(() => parse(argv));
  if (parsed.values.help) return undefined;
  const devices = positiveInteger('devices', parsed.values.devices, 50);
  return {
    devices,
    durationSeconds: positiveInteger('duration', parsed.values.duration, 15),
    concurrency: positiveInteger('concurrency', parsed.values.concurrency, devices),
    nodes: nodeCounts(parsed.values.nodes, shared),
    cpuProfile: parsed.values['cpu-prof'] ?? false,
    slices: sliceCount(parsed.values.slices, shared),
  };
}

function sliceCount(raw: string | undefined, shared: boolean): number {
  const slices = positiveInteger('slices', raw, shared ? 4 : 1);
  if (!shared && slices > 1) {
    // The bare loop's server holds the embedded database; a server process cannot open it at the same time.
    throw new UsageError('--slices above 1 needs DATABASE_URL and REDIS_URL: both sides must run at once');
  }
  return slices;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      devices: { type: 'string' },
      duration: { type: 'string' },
      concurrency: { type: 'string' },
      nodes: { type: 'string' },
      slices: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

/**
 * Runs a benchmark's `main`: a UsageError prints the message and the usage (exit 2), anything else the error (exit 1).
 */
export function runBenchmark(main: () => Promise<void>, usage: string): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${usage}`);
      process.exitCode = 2;
      return;
    }
    console.error(error);
    process.exitCode = 1;
  });
}
