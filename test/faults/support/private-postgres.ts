import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { run } from './child-process.js';
import { freePort } from './free-port.js';
import { waitUntil } from './wait-until.js';

const INSTALLATIONS = '/usr/lib/postgresql';

/** The newest PostgreSQL server installed here (its bin folder), or undefined when there is none. */
export function postgresBinaries(): string | undefined {
  if (!existsSync(INSTALLATIONS)) return undefined;
  const versions = readdirSync(INSTALLATIONS)
    .filter((version) => existsSync(join(INSTALLATIONS, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(INSTALLATIONS, versions[0], 'bin');
}

/** uid and gid of an OS user, from /etc/passwd. */
function osUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line) throw new Error(`no OS user "${name}" to run PostgreSQL as (initdb refuses root)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A PostgreSQL cluster of this test file alone: initdb in a temporary folder, the server on a free loopback port
 * with its socket in that folder. `kill` is `pg_ctl stop -m immediate` (no checkpoint, every connection cut: a
 * crash as far as clients can tell), `restart` starts it again on the same port and data (crash recovery).
 * As root, everything runs as the `postgres` OS user, since initdb and postgres refuse root.
 */
export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    private readonly folder: string,
    readonly port: number,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const bin = postgresBinaries();
    if (!bin) throw new Error(`no PostgreSQL server under ${INSTALLATIONS}`);
    const folder = mkdtempSync(join(tmpdir(), 'idtoken-fault-pg-'));
    if (process.getuid?.() === 0) {
      const { uid, gid } = osUser('postgres');
      chownSync(folder, uid, gid);
    }
    const postgres = new PrivatePostgres(bin, folder, await freePort());
    try {
      await postgres.as(join(bin, 'initdb'), [
        '-A',
        'trust',
        '-U',
        'postgres',
        '-E',
        'UTF8',
        '--no-sync',
        '-D',
        postgres.data,
      ]);
      await postgres.restart();
    } catch (error) {
      await postgres.dispose();
      throw error;
    }
    return postgres;
  }

  private get data(): string {
    return join(this.folder, 'data');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the server on the same port and data, and waits until it accepts a query. */
  async restart(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.folder}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    await this.as(join(this.bin, 'pg_ctl'), [
      '-D',
      this.data,
      '-l',
      join(this.folder, 'server.log'),
      '-w',
      '-t',
      '120',
      '-o',
      options,
      'start',
    ]);
    await waitUntil(`PostgreSQL on port ${this.port}`, () => this.answers(), 60_000, 100);
  }

  /** `pg_ctl stop -m immediate`: the server and every backend end at once, without a checkpoint. */
  async kill(): Promise<void> {
    await this.as(join(this.bin, 'pg_ctl'), ['-D', this.data, '-m', 'immediate', '-w', '-t', '60', 'stop']);
  }

  async createDatabase(name: string): Promise<string> {
    await this.query(`CREATE DATABASE "${name}"`);
    return this.url(name);
  }

  /** Rows of one query, on a connection of its own. */
  async query<T extends object>(sql: string, parameters: unknown[] = [], database = 'postgres'): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url(database) });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(sql, parameters)).rows;
    } finally {
      await client.end();
    }
  }

  /** Stops the server (if it runs) and removes its folder. */
  async dispose(): Promise<void> {
    if (existsSync(join(this.data, 'postmaster.pid'))) await this.kill().catch(() => undefined);
    rmSync(this.folder, { recursive: true, force: true });
  }

  private async answers(): Promise<boolean> {
    await this.query('SELECT 1');
    return true;
  }

  /** Runs a PostgreSQL program, as the `postgres` user when this process is root. */
  private as(program: string, args: string[]): Promise<string> {
    return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', program, ...args]) : run(program, args);
  }
}
