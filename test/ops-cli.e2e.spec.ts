import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import { AuditTrail } from '#idtoken/audit';
import { createIdpApp } from '../apps/idp/src/create-app.js';
import { cliEnvironment, runIdtoken } from './support/cli.js';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
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
    env = cliEnvironment(environment.config);
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

/**
 * The operator commands that act as the admin routes do (issue 8: "rotate keys, revoke an enrollment, import
 * account links"), run between two boots of the server on the same database — the embedded database is one
 * process at a time — and checked through the admin API afterwards.
 */
describe('idtoken CLI: keys:rotate, enrollment:revoke, account-links:import', () => {
  jest.setTimeout(180_000);
  let environment: TestEnvironment;
  let env: Record<string, string | undefined>;
  const run = (args: string[]) => runIdtoken(args, env);

  /** The server on this environment's database, for `work`, then stopped again. */
  const withServer = async (work: (baseUrl: string, app: NestFastifyApplication) => Promise<void>) => {
    const app = await createIdpApp(environment.config, pino({ level: 'silent' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await work(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`, app);
    } finally {
      await app.close();
    }
  };
  const admin = async (baseUrl: string, path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    environment = await createTestEnvironment({ IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY });
    env = cliEnvironment(environment.config);
  });
  afterAll(async () => environment?.dispose());

  it('does what the admin routes do, audited as the cli, and refuses bad arguments or input (exit 2 / 1)', async () => {
    let tokenId = '';
    let currentKid = '';
    await withServer(async (baseUrl) => {
      const { station, csca } = await setUpStation(baseUrl);
      const issued = await issueCredential(station, csca);
      const device = await newDevice(baseUrl);
      await device.receiveCredential(issued.vds);
      await device.enroll({ liveFaceTemplate: issued.face });
      tokenId = device.tokenId!;
      const service = await admin(baseUrl, '/admin/services', {
        method: 'POST',
        body: {
          serviceId: 'crm',
          name: 'CRM',
          url: 'https://crm.example',
          allowedScopes: ['identity:name'],
          defaultScopes: ['identity:name'],
        },
      });
      expect(service.status).toBe(201);
      const keys = (await admin(baseUrl, '/admin/keys')).body.keys as { kid: string; algorithm: string }[];
      currentKid = keys.find((key) => key.algorithm === 'ES256')!.kid;
    });

    const rotated = await run(['keys:rotate']);
    expect(rotated).toMatchObject({ code: 0, err: expect.stringMatching(`retiring ${currentKid}`) });
    const newKid = rotated.out.trim();
    expect(newKid).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const revoked = await run(['enrollment:revoke', '--token-id', tokenId, '--reason', 'lost_device']);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain(`Revoked ${tokenId} (lost_device)`);
    const twice = await run(['enrollment:revoke', '--token-id', tokenId, '--reason', 'lost_device']);
    expect(twice).toMatchObject({ code: 1, err: expect.stringMatching(/^enrollment_not_found: /) });

    const csv = join(environment.config.dataDir, 'links.csv');
    const header = 'tokenId,email,emailVerified,upn,immutableId,username,groups';
    writeFileSync(csv, `${header}\r\n${tokenId},ada@crm.example,true,ada@corp.example,,,\r\n`);
    const imported = await run(['account-links:import', '--service', 'crm', '--file', csv]);
    expect(imported).toMatchObject({
      code: 0,
      err: '',
      out: 'Imported into crm: 1 created, 0 updated, 0 unchanged.\n',
    });
    const badCsv = join(environment.config.dataDir, 'bad.csv');
    writeFileSync(badCsv, `${header}\r\nnot-a-uuid,a@crm.example,,,,,\r\n${randomUUID()},not-an-email,,,,,\r\n`);
    const refused = await run(['account-links:import', '--service', 'crm', '--file', badCsv]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^invalid_rows: /);
    expect(refused.err).toMatch(/"line":2/);
    expect(refused.err).toMatch(/"line":3/);

    for (const args of [
      ['keys:rotate', '--algorithm', 'HS256'],
      ['keys:rotate', '--reason', 'x'],
      ['enrollment:revoke', '--token-id', tokenId.toUpperCase(), '--reason', 'lost_device'],
      ['enrollment:revoke', '--token-id', tokenId, '--reason', 'bored'],
      ['account-links:import', '--service', 'crm'],
      ['no-such-command'],
    ]) {
      expect({ args, code: (await run(args)).code }).toEqual({ args, code: 2 });
    }
    expect((await run(['account-links:import', '--service', 'crm', '--file', '/nonexistent.csv'])).code).toBe(1);

    await withServer(async (baseUrl, app) => {
      const keys = (await admin(baseUrl, '/admin/keys')).body.keys as { kid: string; status: string }[];
      expect(keys).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kid: newKid, status: 'next' }),
          expect.objectContaining({ kid: currentKid, status: 'current' }),
        ]),
      );
      const enrollment = await admin(baseUrl, `/admin/enrollments/${tokenId}`);
      expect(enrollment.body).toMatchObject({ status: 'revoked', revocationReason: 'lost_device' });
      const link = await admin(baseUrl, `/admin/services/crm/account-links/${tokenId}`);
      expect(link.body).toMatchObject({ email: 'ada@crm.example', upn: 'ada@corp.example' });
      const events = await app.get(AuditTrail).list({ actor: 'cli' });
      expect(new Set(events.map((event) => event.type))).toEqual(
        new Set([
          'keys.token_key_rotated',
          'enrollment.revoked',
          'trust.vds_revoked',
          'account_link.created',
          'account_link.imported',
        ]),
      );
    });
  });
});
