import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { KeyMaterialStore } from '#idtoken/keys';
import { RedisStore, SecretBox, dataSourceOptions, type AppConfig } from '#idtoken/platform';
import {
  DevPkiRepository,
  TrustChanges,
  certificatePem,
  certificateReferenceHex,
  parseCertificateBundle,
  type DevPki,
} from '#idtoken/trust';
import { persistence } from '../persistence.js';

export interface CliOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** A command's answer: the process exit code. */
export type ExitCode = 0 | 1 | 2;

async function withDevPki<T>(config: AppConfig, use: (pki: DevPkiRepository) => Promise<T>): Promise<T> {
  const dataSource = await new DataSource({ ...dataSourceOptions(config, persistence), logging: false }).initialize();
  try {
    await dataSource.runMigrations();
    const audit = new AuditTrail(dataSource);
    return await use(new DevPkiRepository(new KeyMaterialStore(dataSource, new SecretBox(config.masterSecret)), audit));
  } finally {
    await dataSource.destroy();
  }
}

const describePki = (pki: DevPki) =>
  `anchor ${certificateReferenceHex(pki.anchor.certificateDer)} "${pki.anchor.certificate.subject}", ` +
  `signers valid until ${pki.identityVdsSigner.certificate.notAfter.toISOString()}`;

/** Running servers sharing Redis reload their trust material; others need a restart. */
async function announceNewPki(config: AppConfig, io: CliOutput): Promise<void> {
  if (!config.redisUrl) {
    io.err('Restart running servers to use it (no REDIS_URL: they cannot be told).\n');
    return;
  }
  const store = new RedisStore(config.redisUrl, { prefix: config.redisPrefix });
  try {
    await new TrustChanges(store).publish('pki');
    io.err('Running servers on this Redis were told to reload it.\n');
  } finally {
    await store.close();
  }
}

/** `pki:dev [--force]`: creates the development PKI in the configured database (never in production). */
export async function pkiDev(config: AppConfig, force: boolean, io: CliOutput): Promise<ExitCode> {
  if (config.isProduction || config.trustFiles) {
    io.err(
      'pki:dev refuses to run: ' +
        (config.isProduction ? 'NODE_ENV=production' : 'TRUST_ANCHORS_FILE is set') +
        ' — this server reads its trust material from files (docs/configuration.md).\n',
    );
    return 1;
  }
  const now = new Date();
  const created = await withDevPki(config, async (repository) => {
    const existing = await repository.current(now);
    if (existing && !force) {
      io.out(`Development PKI already present: ${describePki(existing)}. Use --force to replace it.\n`);
      return undefined;
    }
    if (force) await repository.retireAll(now);
    return repository.create(now, 'cli');
  });
  if (!created) return 0;
  io.out(`Development PKI ${force ? 'replaced' : 'created'}: ${describePki(created)}.\n`);
  await announceNewPki(config, io);
  return 0;
}

/** `pki:export-anchor [--out file]`: the trust anchor certificate(s) as PEM, for relying parties and devices. */
export async function pkiExportAnchor(
  config: AppConfig,
  outFile: string | undefined,
  io: CliOutput,
): Promise<ExitCode> {
  let pem: string;
  if (config.trustFiles) {
    const anchors = parseCertificateBundle(await readFile(config.trustFiles.anchors, 'utf8'));
    pem = anchors.map((anchor) => certificatePem(new Uint8Array(anchor.rawData))).join('\n');
  } else {
    const pki = await withDevPki(config, (repository) => repository.current(new Date()));
    if (!pki) {
      io.err('No development PKI yet: run `npm run idtoken -- pki:dev` or start the server once.\n');
      return 1;
    }
    pem = certificatePem(pki.anchor.certificateDer);
  }
  pem = pem.endsWith('\n') ? pem : `${pem}\n`;
  if (outFile) {
    writeFileSync(outFile, pem);
    io.err(`Wrote the trust anchor to ${outFile}.\n`);
  } else {
    io.out(pem);
  }
  return 0;
}
