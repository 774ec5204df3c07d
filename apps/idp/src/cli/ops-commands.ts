import { access, readFile } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import { ApiKeyService, ROLES, type Role } from '#idtoken/admin';
import { AuditTrail } from '#idtoken/audit';
import { RedisStore, dataSourceOptions, type AppConfig } from '#idtoken/platform';
import { persistence } from '../persistence.js';
import type { CliOutput, ExitCode } from './pki-commands.js';

/** One line of `doctor`: a check's name, and its problem (undefined when it passed). */
interface Finding {
  check: string;
  problem?: string;
  note?: string;
}

/**
 * `doctor`: what would stop this server, or weaken it, before it starts: the database (reachable, migrations
 * applied), Redis (reachable), trust and FCM files (readable, parseable), production settings. Exit 1 on a problem.
 */
export async function doctor(config: AppConfig, io: CliOutput): Promise<ExitCode> {
  const findings: Finding[] = [];
  const { database, ephemeralStore, issuer } = config.describe();
  findings.push({
    check: 'configuration',
    note: `${config.nodeEnv}; issuer ${issuer}; SAML entityID ${config.samlEntityId}`,
  });

  let dataSource: DataSource | undefined;
  try {
    dataSource = await new DataSource({ ...dataSourceOptions(config, persistence), logging: false }).initialize();
    const pending = await dataSource.showMigrations();
    findings.push({
      check: `database (${database})`,
      note: pending ? 'migrations pending: the server applies them when it starts' : 'schema up to date',
    });
    const admins = pending
      ? []
      : ((await dataSource.query(
          `SELECT count(*)::int AS n FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL`,
        )) as { n: number }[]);
    if (config.bootstrapAdminKey && (admins[0]?.n ?? 0) > 0) {
      findings.push({
        check: 'bootstrap admin key',
        problem: 'IDTOKEN_BOOTSTRAP_ADMIN_KEY is still set although admin keys exist: remove it',
      });
    }
  } catch (error) {
    findings.push({ check: `database (${database})`, problem: (error as Error).message });
  } finally {
    await dataSource?.destroy().catch(() => undefined);
  }

  if (config.redisUrl) {
    const store = new RedisStore(config.redisUrl, { prefix: config.redisPrefix });
    try {
      await store.ping();
      findings.push({ check: `ephemeral store (${ephemeralStore})` });
    } catch (error) {
      findings.push({ check: `ephemeral store (${ephemeralStore})`, problem: (error as Error).message });
    } finally {
      await store.close().catch(() => undefined);
    }
  } else {
    findings.push({
      check: 'ephemeral store (in-process)',
      ...(config.isProduction ? { problem: 'no REDIS_URL: one node only, sessions lost on restart' } : {}),
    });
  }

  if (config.push.fcmServiceAccountFile) {
    try {
      const account = JSON.parse(await readFile(config.push.fcmServiceAccountFile, 'utf8')) as Record<string, unknown>;
      const missing = ['project_id', 'client_email', 'private_key'].filter(
        (field) => typeof account[field] !== 'string',
      );
      findings.push({
        check: 'FCM service account',
        ...(missing.length > 0 ? { problem: `missing ${missing.join(', ')}` } : {}),
      });
    } catch (error) {
      findings.push({ check: 'FCM service account', problem: (error as Error).message });
    }
  } else if (!config.push.deviceInbox) {
    findings.push({ check: 'push', problem: 'neither FCM nor the device inbox: phones are never told of a login' });
  }

  if (config.trustFiles) {
    const files = [
      config.trustFiles.anchors,
      ...Object.values(config.trustFiles).flatMap((value) =>
        typeof value === 'object' && value !== null ? Object.values(value as Record<string, string>) : [],
      ),
    ];
    const unreadable: string[] = [];
    for (const file of files) await access(file).catch(() => unreadable.push(file));
    findings.push({
      check: 'trust files',
      ...(unreadable.length > 0 ? { problem: `cannot read ${unreadable.join(', ')}` } : {}),
    });
  } else {
    findings.push({
      check: 'trust material',
      ...(config.isProduction
        ? { problem: 'no TRUST_ANCHORS_FILE: production needs the trust files' }
        : { note: 'development PKI in the database' }),
    });
  }

  for (const finding of findings) {
    const mark = finding.problem ? '✗' : '✓';
    const detail = finding.problem ?? finding.note;
    (finding.problem ? io.err : io.out)(`${mark} ${finding.check}${detail ? `: ${detail}` : ''}\n`);
  }
  const problems = findings.filter((finding) => finding.problem).length;
  io.out(problems === 0 ? 'No problems found.\n' : `${problems} problem(s) found.\n`);
  return problems === 0 ? 0 : 1;
}

/**
 * `admin-key:create --name NAME [--role admin|operator]`: an API key made directly in the database (the first
 * admin's, so IDTOKEN_BOOTSTRAP_ADMIN_KEY need never be set in production). Printed once; audited (actor `cli`).
 */
export async function createAdminKey(
  config: AppConfig,
  input: { name: string | undefined; role: string | undefined },
  io: CliOutput,
): Promise<ExitCode> {
  const role = (input.role ?? 'admin') as Role;
  if (!input.name || !['admin', 'operator'].includes(role) || !ROLES.includes(role)) {
    io.err('admin-key:create needs --name NAME and an optional --role admin|operator\n');
    return 2;
  }
  const name = input.name;
  const dataSource = await new DataSource({ ...dataSourceOptions(config, persistence), logging: false }).initialize();
  try {
    await dataSource.runMigrations();
    const created = await dataSource.transaction(async (manager) => {
      const key = await new ApiKeyService(dataSource, config).create({ name, role }, manager);
      await new AuditTrail(dataSource).record(
        { type: 'api_key.created', actor: 'cli', subject: key.id, data: { name, role } },
        manager,
      );
      return key;
    });
    io.err(`Created ${role} key ${created.id} ("${name}"). It is shown once, below:\n`);
    io.out(`${created.apiKey}\n`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}
