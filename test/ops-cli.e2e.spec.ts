import { jest } from '@jest/globals';
import { pino } from 'pino';
import { createIdpApp } from '../apps/idp/src/create-app.js';
import { runIdtoken } from './support/cli.js';
import { createTestEnvironment, type TestEnvironment } from './support/test-env.js';

/** The operator commands `doctor` and `admin-key:create` (issue 8), run in this process as `npm run idtoken` does. */
describe('idtoken CLI: doctor and admin-key:create', () => {
  // Each command boots the database and runs every migration: slow on a loaded CI machine.
  jest.setTimeout(120_000);
  let environment: TestEnvironment;
  let env: Record<string, string | undefined>;
  const run = (args: string[], overrides: Record<string, string | undefined> = {}) =>
    runIdtoken(args, { ...env, ...overrides });

  beforeAll(async () => {
    environment = await createTestEnvironment();
    const { config } = environment;
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: config.dataDir,
      IDTOKEN_MASTER_SECRET: config.masterSecret.toString('hex'),
      DATABASE_URL: config.databaseUrl,
      REDIS_URL: config.redisUrl,
      REDIS_PREFIX: config.redisPrefix,
    };
  });
  afterAll(async () => environment?.dispose());

  it('doctor passes on a working setup and names what is wrong otherwise (exit 1)', async () => {
    const healthy = await run(['doctor']);
    expect(healthy.out).toContain('No problems found.');
    expect(healthy.out).toMatch(/✓ database/);
    expect(healthy.code).toBe(0);

    const broken = await run(['doctor'], {
      REDIS_URL: 'redis://127.0.0.1:1',
      FCM_SERVICE_ACCOUNT_FILE: '/nonexistent.json',
    });
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/✗ ephemeral store \(Redis 127\.0\.0\.1:1\)/);
    expect(broken.err).toMatch(/✗ FCM service account: .*nonexistent/);
    expect(broken.out).toContain('2 problem(s) found.');
  });

  it('creates an admin key the server then accepts, and refuses bad arguments', async () => {
    const created = await run(['admin-key:create', '--name', 'first admin']);
    expect(created.code).toBe(0);
    const apiKey = created.out.trim();
    expect(apiKey).toMatch(/^idt_[A-Za-z0-9_-]{43}$/);

    const app = await createIdpApp(environment.config, pino({ level: 'silent' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.getHttpServer().address() as { port: number };
      const keys = await fetch(`http://127.0.0.1:${address.port}/admin/api-keys`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      expect(keys.status).toBe(200);
      const listed = (await keys.json()) as { keys: { name: string; role: string }[] };
      expect(listed.keys).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'first admin', role: 'admin' })]),
      );
    } finally {
      await app.close();
    }

    expect((await run(['admin-key:create'])).code).toBe(2);
    expect((await run(['admin-key:create', '--name', 'x', '--role', 'station'])).code).toBe(2);
    expect((await run(['doctor', '--name', 'x'])).code).toBe(2);
  });
});
