import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisStore } from '#idtoken/platform';
import { TRUST_CHANGED_CHANNEL } from '#idtoken/trust';
import { runIdtoken } from './support/cli.js';
import { copyMigratedPglite, servicesUnderTest } from './support/test-env.js';

/** `npm run idtoken -- …` without the build step: the same function, in this process, on embedded PGlite. */
describe('idtoken CLI: pki commands', () => {
  // Each command boots the embedded database: slow on a loaded CI machine (the migrations come ready, below).
  jest.setTimeout(120_000);
  let dataDir: string;
  let env: Record<string, string>;
  const run = (args: string[], overrides: Record<string, string> = {}) => runIdtoken(args, { ...env, ...overrides });
  const anchorReference = (text: string) => /anchor ([0-9a-f]{16})/.exec(text)?.[1];
  const subjectOf = (pem: string) =>
    execFileSync('openssl', ['x509', '-noout', '-subject'], { input: pem, encoding: 'utf8' }).trim();
  const fingerprintOf = (pem: string) =>
    execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem, encoding: 'utf8' }).trim();

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'idtoken-cli-'));
    await copyMigratedPglite(dataDir);
    env = { NODE_ENV: 'development', DATA_DIR: dataDir, IDTOKEN_MASTER_SECRET: 'ef'.repeat(32), LOG_LEVEL: 'silent' };
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates the development PKI once, exports its anchor, and replaces it only with --force', async () => {
    const created = await run(['pki:dev']);
    expect(created).toMatchObject({ code: 0, err: expect.stringContaining('Restart running servers') });
    expect(created.out).toMatch(/^Development PKI created: anchor [0-9a-f]{16} "CN=IDToken Development Trust Anchor/);

    const again = await run(['pki:dev']);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/already present.*Use --force to replace it/);
    expect(anchorReference(again.out)).toBe(anchorReference(created.out));

    const exported = await run(['pki:export-anchor']);
    expect(exported.code).toBe(0);
    expect(subjectOf(exported.out)).toMatch(/^subject=CN = IDToken Development Trust Anchor/);

    const replaced = await run(['pki:dev', '--force']);
    expect(replaced.out).toMatch(/^Development PKI replaced: anchor [0-9a-f]{16}/);
    expect(anchorReference(replaced.out)).not.toBe(anchorReference(created.out));

    const outFile = join(dataDir, 'anchor.pem');
    const written = await run(['pki:export-anchor', '--out', outFile]);
    expect(written).toMatchObject({ code: 0, out: '', err: `Wrote the trust anchor to ${outFile}.\n` });
    expect(fingerprintOf(readFileSync(outFile, 'utf8'))).not.toBe(fingerprintOf(exported.out));
  });

  it('refuses pki:dev in production', async () => {
    const production = await run(['pki:dev'], { NODE_ENV: 'production', ISSUER_URL: 'https://idp.example' });
    expect(production).toMatchObject({ code: 1, out: '' });
    expect(production.err).toMatch(/^pki:dev refuses to run: NODE_ENV=production/);
  });

  it('exports the anchors of TRUST_ANCHORS_FILE when the trust store is read from files', async () => {
    const first = await run(['pki:dev']);
    expect(first.code).toBe(0);
    const anchors = join(dataDir, 'anchors.pem');
    writeFileSync(anchors, (await run(['pki:export-anchor'])).out);
    const files = Object.fromEntries(
      [
        'TRUST_ANCHORS_FILE',
        'IDENTITY_VDS_SIGNER_KEY_FILE',
        'IDENTITY_VDS_SIGNER_CERT_FILE',
        'SERVICE_VDS_SIGNER_KEY_FILE',
        'SERVICE_VDS_SIGNER_CERT_FILE',
        'TRUST_LIST_SIGNER_KEY_FILE',
        'TRUST_LIST_SIGNER_CERT_FILE',
      ].map((name) => [name, anchors]),
    );
    const exported = await run(['pki:export-anchor'], files);
    expect(exported.code).toBe(0);
    expect(fingerprintOf(exported.out)).toBe(fingerprintOf(readFileSync(anchors, 'utf8')));
    expect((await run(['pki:dev'], files)).err).toMatch(/^pki:dev refuses to run: TRUST_ANCHORS_FILE is set/);
  });

  it('says how to get an anchor when there is no development PKI yet', async () => {
    expect(await run(['pki:export-anchor'])).toMatchObject({
      code: 1,
      err: 'No development PKI yet: run `npm run idtoken -- pki:dev` or start the server once.\n',
    });
  });

  it.each([[[]], [['pki:nope']], [['pki:dev', '--out', 'x']], [['pki:export-anchor', '--bogus']]])(
    'answers %j with the usage and exit code 2',
    async (args) => {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.err).toContain('Usage: npm run idtoken -- <command>');
    },
  );

  it('names a wrong setting in one line and exits 1', async () => {
    expect(await run(['pki:dev'], { VDS_IAC: 'no' })).toEqual({
      code: 1,
      out: '',
      err: 'Invalid configuration: VDS_IAC must be 3 upper-case letters A-Z (got "no")\n',
    });
  });

  (servicesUnderTest.redisUrl ? it : it.skip)('tells running servers on the same Redis to reload', async () => {
    const prefix = `idtoken-test:${randomUUID()}:`;
    const listener = new RedisStore(servicesUnderTest.redisUrl!, { prefix });
    const messages: string[] = [];
    await listener.subscribe(TRUST_CHANGED_CHANNEL, (message) => messages.push(message));
    try {
      const result = await run(['pki:dev'], { REDIS_URL: servicesUnderTest.redisUrl!, REDIS_PREFIX: prefix });
      expect(result.err).toContain('Running servers on this Redis were told to reload it.');
      const deadline = Date.now() + 2_000;
      while (messages.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(messages).toEqual([JSON.stringify({ change: 'pki' })]);
    } finally {
      await listener.close();
    }
  });
});
