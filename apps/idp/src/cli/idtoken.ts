/**
 * Operator commands: `npm run idtoken -- <command>` (builds first, then runs this file from dist/).
 *   pki:dev [--force]             generate (or with --force replace) the development PKI in the configured database
 *   pki:export-anchor [--out f]   print the trust anchor certificate(s) as PEM, or write them to a file
 *   doctor                        check the configuration, database, Redis and files; exit 1 on a problem
 *   admin-key:create --name N [--role admin|operator]   create an API key (printed once)
 *   keys:rotate [--algorithm ES256|RS256] [--immediate]  rotate a token-signing key family
 *   enrollment:revoke --token-id ID --reason R           revoke an enrollment (every service at once)
 *   account-links:import --service ID --file F.csv       import a service's account links
 * Settings come from the environment and .env, exactly as for the server.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '#idtoken/platform';
import { importAccountLinks, revokeEnrollment, rotateKeys } from './app-commands.js';
import { createAdminKey, doctor } from './ops-commands.js';
import { pkiDev, pkiExportAnchor, type CliOutput, type ExitCode } from './pki-commands.js';

const USAGE = `Usage: npm run idtoken -- <command>
  pki:dev [--force]              generate the development PKI (--force: replace it); refused in production
  pki:export-anchor [--out FILE] print the trust anchor certificate as PEM (or write it to FILE)
  doctor                         check configuration, database, Redis and files (exit 1 on a problem)
  admin-key:create --name NAME [--role admin|operator]
                                 create an API key, printed once (the first admin's, without a bootstrap key)
  keys:rotate [--algorithm ES256|RS256] [--immediate]
                                 rotate the token-signing keys (--immediate: the new key signs at once)
  enrollment:revoke --token-id UUID --reason lost_device|compromised|expired_document|user_request
                                 revoke a tokenId's enrollment for every service at once
  account-links:import --service SERVICE_ID --file FILE.csv
                                 import account links (all rows or none; the CSV of the admin API)
With the embedded database (no DATABASE_URL), stop the server first: one process at a time opens the data folder.
`;

/** Each command and the options it takes; any other option is a usage error. */
const COMMANDS: Record<string, readonly string[]> = {
  'pki:dev': ['force'],
  'pki:export-anchor': ['out'],
  doctor: [],
  'admin-key:create': ['name', 'role'],
  'keys:rotate': ['algorithm', 'immediate'],
  'enrollment:revoke': ['token-id', 'reason'],
  'account-links:import': ['service', 'file'],
};

export async function runIdtokenCli(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<ExitCode> {
  const [command, ...rest] = argv;
  const allowed = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!allowed) {
    io.err(USAGE);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        force: { type: 'boolean' },
        out: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        algorithm: { type: 'string' },
        immediate: { type: 'boolean' },
        'token-id': { type: 'string' },
        reason: { type: 'string' },
        service: { type: 'string' },
        file: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const misplaced = Object.keys(values).filter((option) => !allowed.includes(option));
  if (misplaced.length > 0) {
    io.err(`${command} does not take --${misplaced.join(', --')}\n${USAGE}`);
    return 2;
  }
  const text = (option: string) => (typeof values[option] === 'string' ? values[option] : undefined);
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
      return pkiDev(config, values.force === true, io);
    case 'pki:export-anchor':
      return pkiExportAnchor(config, text('out'), io);
    case 'doctor':
      return doctor(config, io);
    case 'admin-key:create':
      return createAdminKey(config, { name: text('name'), role: text('role') }, io);
    case 'keys:rotate':
      return rotateKeys(config, { algorithm: text('algorithm'), immediate: values.immediate === true }, io);
    case 'enrollment:revoke':
      return revokeEnrollment(config, { tokenId: text('token-id'), reason: text('reason') }, io);
    default:
      return importAccountLinks(config, { service: text('service'), file: text('file') }, io);
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
