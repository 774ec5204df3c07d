import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The README's `npm start` path, for real: the compiled server in a child process with no services
 * configured, reaching readiness, and stopping cleanly on SIGTERM. Bad settings stop it with one line.
 */
const root = resolve(import.meta.dirname, '..');
const main = join(root, 'dist/apps/idp/src/main.js');

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startServer(env: Record<string, string>, command: string[] = [process.execPath, main]): Run {
  // Only what a fresh shell would have: no DATABASE_URL or REDIS_URL from the CI run leaks in.
  const child = spawn(command[0]!, command.slice(1), { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.on('exit', (code, signal) => resolveExit({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function readyWithin(url: string, ms: number, run: Run): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (run.child.exitCode !== null) throw new Error(`server exited: ${run.stderr()}`);
    try {
      const response = await fetch(url);
      if (response.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready within ${ms} ms`);
}

describe('the server process', () => {
  let dataDir: string;

  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'inherit',
    });
  }, 120_000);
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'idtoken-boot-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts with no configuration on embedded PGlite, is ready within 15 s, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const run = startServer({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
    try {
      await readyWithin(`http://127.0.0.1:${port}/health/ready`, 15_000, run);
      const logs = run
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: string; msg: string });
      expect(logs).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: expect.stringContaining('IDTOKEN_MASTER_SECRET is not set') }),
      );
      expect(logs).toContainEqual(
        expect.objectContaining({
          msg: `IDToken is ready on port ${port}`,
          database: expect.stringContaining('PGlite'),
        }),
      );
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toContain('"msg":"stopped"');
  }, 30_000);

  it('stops with exit 0 when `npm start` itself gets SIGTERM, leaving no orphan server behind', async () => {
    const port = await freePort();
    // --ignore-scripts skips the prestart build (done above); the start script is what the README runs.
    const run = startServer({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir }, [
      'npm',
      'start',
      '--ignore-scripts',
    ]);
    await readyWithin(`http://127.0.0.1:${port}/health/ready`, 15_000, run);
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toContain('"msg":"stopped"');
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  }, 30_000);

  it('restarts on the same data folder with the same master secret and schema', async () => {
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const run = startServer({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
      await readyWithin(`http://127.0.0.1:${port}/health/ready`, 15_000, run);
      run.child.kill('SIGINT');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.stdout().includes('IDTOKEN_MASTER_SECRET is not set')).toBe(i === 0);
    }
  }, 40_000);

  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be an integer between 0 and 65535 (got "abc")'],
    [
      { DATABASE_URL: 'nonsense' },
      'Invalid configuration: DATABASE_URL must be a PostgreSQL URL (postgres:// or postgresql://) (got "nonsense")',
    ],
    [
      { NODE_ENV: 'production', ISSUER_URL: 'https://idp.example' },
      'Invalid configuration: IDTOKEN_MASTER_SECRET is required when NODE_ENV=production',
    ],
  ])('refuses to start with %j: one line naming the variable, exit 1', async (env, line) => {
    const run = startServer({ DATA_DIR: dataDir, ...env });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.stderr()).toBe(`${line}\n`);
  });

  it('fails to start, with the reason, when PostgreSQL cannot be reached', async () => {
    const run = startServer({
      DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/idtoken',
      LOG_LEVEL: 'fatal',
    });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.stderr()).toMatch(/^IDToken failed to start: .*ECONNREFUSED/);
  }, 30_000);
});
