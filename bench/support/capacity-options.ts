import { parseArgs } from 'node:util';
import { positiveInteger, readCommandLine, UsageError } from './options.js';

/** What one capacity run opens and for how long it holds it. */
export interface CapacityBenchOptions {
  sessions: number;
  devices: number;
  batch: number;
  holdSeconds: number;
  /** Run the server process with `node --cpu-prof`, its profile written to bench/results/profiles/. */
  cpuProfile: boolean;
}

export const CAPACITY_USAGE = `Usage: npm run bench:capacity -- [--sessions N] [--devices N] [--batch N] [--hold SECONDS]
  --sessions  pending sessions to open, each with its browser socket (default 10000)
  --devices   enrolled phones whose tokenIds the sessions take in turn (default 50)
  --batch     sessions being opened at once during the ramp (default 200)
  --hold      seconds to hold them all open while sampling (default 5; ends before the first session expires)
  --cpu-prof  profile the server process (node --cpu-prof) into bench/results/profiles/
One server process; every session must be open within its 60 s lifetime. Needs about one open file per socket in
this process and in the server (ulimit -n).
Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, else embedded PGlite and the in-process store.`;

/** Reads the command line; `undefined` means `--help` was asked for. */
export function readCapacityOptions(argv: string[]): CapacityBenchOptions | undefined {
  const parsed = readCommandLine(() => parse(argv));
  if (parsed.values.help) return undefined;
  const holdSeconds = positiveInteger('hold', parsed.values.hold, 5);
  if (holdSeconds >= 60) throw new UsageError('--hold must be under 60: the sessions live 60 s (spec §6.1)');
  return {
    sessions: positiveInteger('sessions', parsed.values.sessions, 10_000),
    devices: positiveInteger('devices', parsed.values.devices, 50),
    batch: positiveInteger('batch', parsed.values.batch, 200),
    holdSeconds,
    cpuProfile: parsed.values['cpu-prof'] ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      sessions: { type: 'string' },
      devices: { type: 'string' },
      batch: { type: 'string' },
      hold: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}
