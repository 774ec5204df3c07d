import { parseArgs } from 'node:util';
import { positiveInteger, readCommandLine } from './options.js';

/** What one OIDC run measures: how many flows in flight, for how long (each phase), with how many phones. */
export interface OidcBenchOptions {
  flowsConcurrency: number;
  durationSeconds: number;
  devices: number;
}

export const OIDC_USAGE = `Usage: npm run bench:oidc -- [--flows-concurrency C] [--duration SECONDS] [--devices N]
  --flows-concurrency  code flows in flight at once, in each phase (default 20)
  --duration           length of each timed phase in seconds (default 15)
  --devices            enrolled phones approving the IDToken flows; worker i uses phone i mod N
                       (default: --flows-concurrency)
Two phases with the same clients: the IDToken IdP (phone approval), then a bare oidc-provider (trivial interaction).
Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, else embedded PGlite and the in-process store.`;

/** Reads the command line; `undefined` means `--help` was asked for. */
export function readOidcOptions(argv: string[]): OidcBenchOptions | undefined {
  const parsed = readCommandLine(() => parse(argv));
  if (parsed.values.help) return undefined;
  const flowsConcurrency = positiveInteger('flows-concurrency', parsed.values['flows-concurrency'], 20);
  return {
    flowsConcurrency,
    durationSeconds: positiveInteger('duration', parsed.values.duration, 15),
    devices: positiveInteger('devices', parsed.values.devices, flowsConcurrency),
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      'flows-concurrency': { type: 'string' },
      duration: { type: 'string' },
      devices: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}
