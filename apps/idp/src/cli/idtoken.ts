/**
 * Operator commands: `npm run idtoken -- <command>` (builds first, then runs this file from dist/).
 *   pki:dev [--force]             generate (or with --force replace) the development PKI in the configured database
 *   pki:export-anchor [--out f]   print the trust anchor certificate(s) as PEM, or write them to a file
 *   doctor                        check the configuration, database, Redis and files; exit 1 on a problem
 *   admin-key:create --name N [--role admin|operator]   create an API key (printed once)
 * Settings come from the environment and .env, exactly as for the server.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '#idtoken/platform';
import { createAdminKey, doctor } from './ops-commands.js';
import { pkiDev, pkiExportAnchor, type CliOutput, type ExitCode } from './pki-commands.js';

const USAGE = `Usage: npm run idtoken -- <command>
  pki:dev [--force]              generate the development PKI (--force: replace it); refused in production
  pki:export-anchor [--out FILE] print the trust anchor certificate as PEM (or write it to FILE)
  doctor                         check configuration, database, Redis and files (exit 1 on a problem)
  admin-key:create --name NAME [--role admin|operator]
                                 create an API key, printed once (the first admin's, without a bootstrap key)
`;
const COMMANDS = ['pki:dev', 'pki:export-anchor', 'doctor', 'admin-key:create'];

export async function runIdtokenCli(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<ExitCode> {
  const [command, ...rest] = argv;
  let values: { force?: boolean; out?: string; name?: string; role?: string };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        force: { type: 'boolean' },
        out: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if ((command === 'pki:dev' && values.out) || (command === 'pki:export-anchor' && values.force)) {
    io.err(USAGE);
    return 2;
  }
  const pkiOptions = values.force !== undefined || values.out !== undefined;
  const keyOptions = values.name !== undefined || values.role !== undefined;
  if (
    !command ||
    !COMMANDS.includes(command) ||
    (command !== 'admin-key:create' && keyOptions) ||
    (!command.startsWith('pki:') && pkiOptions)
  ) {
    io.err(USAGE);
    return 2;
  }
  let config;
  try {
    config = loadConfig(env, { warn: (message) => io.err(`${message}\n`) });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  switch (command) {
    case 'pki:dev':
      return pkiDev(config, values.force ?? false, io);
    case 'pki:export-anchor':
      return pkiExportAnchor(config, values.out, io);
    case 'doctor':
      return doctor(config, io);
    default:
      return createAdminKey(config, { name: values.name, role: values.role }, io);
  }
}

// Run only as the program itself, not when a test imports runIdtokenCli.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  runIdtokenCli(process.argv.slice(2), process.env, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`idtoken: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
