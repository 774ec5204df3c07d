import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config.js';
import { decodeMasterSecret } from './master-secret.js';

const SECRET_HEX = 'a'.repeat(64);

describe('loadConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'idtoken-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const load = (env: Record<string, string>, warn?: (m: string) => void) =>
    loadConfig({ DATA_DIR: dataDir, IDTOKEN_MASTER_SECRET: SECRET_HEX, ...env }, { warn });

  it('applies the documented defaults', () => {
    const config = load({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      issuerUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      redisUrl: undefined,
      redisPrefix: 'idtoken:',
      logLevel: 'info',
      trustProxy: false,
      dataDir,
    });
    expect(config.masterSecret).toEqual(Buffer.from(SECRET_HEX, 'hex'));
  });

  it('derives the default issuer from PORT', () => {
    expect(load({ PORT: '8443' }).issuerUrl).toBe('http://localhost:8443');
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be an integer between 0 and 65535 \(got "abc"\)$/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT must be an integer/],
    [{ PORT: '80.5' }, /^Invalid configuration: PORT must be an integer/],
    [
      { DATABASE_URL: 'nonsense' },
      /^Invalid configuration: DATABASE_URL must be a PostgreSQL URL \(postgres:\/\/ or postgresql:\/\/\) \(got "nonsense"\)$/,
    ],
    [{ DATABASE_URL: 'mysql://db/x' }, /DATABASE_URL must be a PostgreSQL URL/],
    [{ REDIS_URL: 'http://cache' }, /REDIS_URL must be a Redis URL/],
    [
      { ISSUER_URL: 'https://idp.example/' },
      /ISSUER_URL must be an absolute http\(s\) URL without query, fragment, credentials or trailing slash/,
    ],
    [{ ISSUER_URL: 'https://idp.example?tenant=1' }, /ISSUER_URL must be/],
    [{ ISSUER_URL: 'ftp://idp.example' }, /ISSUER_URL must be/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be development, test or production/],
    [{ TRUST_PROXY: 'yes' }, /TRUST_PROXY must be false, true, a number of proxy hops/],
    [{ TRUST_PROXY: '10.0.0.0/8; rm' }, /TRUST_PROXY must be false, true/],
    [{ VDS_IAC: 'idt' }, /^Invalid configuration: VDS_IAC must be 3 upper-case letters A-Z \(got "idt"\)$/],
    [{ VDS_IAC: 'IDTK' }, /VDS_IAC must be 3 upper-case letters/],
  ])('refuses %j with one line naming the variable', (env, message) => {
    const attempt = () => load(env as Record<string, string>);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('names every wrong variable in the one line', () => {
    expect(() => load({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT must be .*; LOG_LEVEL must be/);
  });

  it('defaults the VDS IAC to IDT and reads trust material from the database (development PKI)', () => {
    expect(load({})).toMatchObject({ vdsIac: 'IDT', trustFiles: undefined });
    expect(load({ VDS_IAC: 'XYZ' }).vdsIac).toBe('XYZ');
  });

  it('takes the trust files as a set, as absolute paths, TRUST_CERTIFICATES_FILE optional', () => {
    const files = {
      TRUST_ANCHORS_FILE: 'trust/anchors.pem',
      IDENTITY_VDS_SIGNER_KEY_FILE: '/etc/idtoken/identity.key',
      IDENTITY_VDS_SIGNER_CERT_FILE: '/etc/idtoken/identity.pem',
      SERVICE_VDS_SIGNER_KEY_FILE: '/etc/idtoken/service.key',
      SERVICE_VDS_SIGNER_CERT_FILE: '/etc/idtoken/service.pem',
      TRUST_LIST_SIGNER_KEY_FILE: '/etc/idtoken/lists.key',
      TRUST_LIST_SIGNER_CERT_FILE: '/etc/idtoken/lists.pem',
    };
    expect(load(files).trustFiles).toEqual({
      anchors: join(process.cwd(), 'trust/anchors.pem'),
      certificates: undefined,
      identityVdsSigner: { keyFile: '/etc/idtoken/identity.key', certFile: '/etc/idtoken/identity.pem' },
      serviceVdsSigner: { keyFile: '/etc/idtoken/service.key', certFile: '/etc/idtoken/service.pem' },
      trustListSigner: { keyFile: '/etc/idtoken/lists.key', certFile: '/etc/idtoken/lists.pem' },
    });
    expect(load({ ...files, TRUST_CERTIFICATES_FILE: '/etc/idtoken/cas.pem' }).trustFiles?.certificates).toBe(
      '/etc/idtoken/cas.pem',
    );
  });

  it('refuses part of the trust files, naming each missing one in the one line', () => {
    const attempt = () => load({ TRUST_ANCHORS_FILE: '/a.pem', SERVICE_VDS_SIGNER_KEY_FILE: '/s.key' });
    expect(attempt).toThrow(
      /^Invalid configuration: IDENTITY_VDS_SIGNER_KEY_FILE is required when any trust file is set \(they come as a set\); IDENTITY_VDS_SIGNER_CERT_FILE is required/,
    );
    expect(attempt).toThrow(
      /; TRUST_LIST_SIGNER_CERT_FILE is required when any trust file is set \(they come as a set\)$/,
    );
    expect(attempt).not.toThrow(/TRUST_ANCHORS_FILE is required|SERVICE_VDS_SIGNER_KEY_FILE is required/);
    expect(() => load({ TRUST_CERTIFICATES_FILE: '/c.pem' })).toThrow(
      /TRUST_ANCHORS_FILE is required when any trust file/,
    );
  });

  it.each([
    ['false', false],
    ['true', true],
    ['1', 1],
    ['10.0.0.0/8,192.168.1.7', ['10.0.0.0/8', '192.168.1.7']],
  ])('reads TRUST_PROXY=%s', (value, expected) => {
    expect(load({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('accepts an https issuer with a path, byte for byte', () => {
    expect(load({ ISSUER_URL: 'https://idp.example/tenant-a' }).issuerUrl).toBe('https://idp.example/tenant-a');
  });

  it('requires IDTOKEN_MASTER_SECRET and an https issuer in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, ISSUER_URL: 'https://idp.example' })).toThrow(
      /IDTOKEN_MASTER_SECRET is required when NODE_ENV=production/,
    );
    expect(() => load({ NODE_ENV: 'production', ISSUER_URL: 'http://idp.example' })).toThrow(
      /ISSUER_URL must be an https:\/\/ URL when NODE_ENV=production/,
    );
    expect(load({ NODE_ENV: 'production', ISSUER_URL: 'https://idp.example' }).isProduction).toBe(true);
  });

  it('refuses a master secret shorter than 32 bytes, without echoing it', () => {
    const attempt = () => load({ IDTOKEN_MASTER_SECRET: 'c2hvcnQtc2VjcmV0' });
    expect(attempt).toThrow(/IDTOKEN_MASTER_SECRET must be at least 32 bytes/);
    expect(attempt).not.toThrow(/c2hvcnQtc2VjcmV0/);
  });

  it('generates a development master secret once, keeps it in DATA_DIR (0600) and warns loudly', () => {
    const warnings: string[] = [];
    const first = loadConfig({ DATA_DIR: dataDir }, { warn: (m) => warnings.push(m) });
    expect(first.masterSecret).toHaveLength(32);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /IDTOKEN_MASTER_SECRET is not set: generated a development master secret in .*master-secret/,
    );
    expect(statSync(join(dataDir, 'master-secret')).mode & 0o777).toBe(0o600);

    const second = loadConfig({ DATA_DIR: dataDir }, { warn: (m) => warnings.push(m) });
    expect(second.masterSecret).toEqual(first.masterSecret);
    expect(warnings).toHaveLength(1);
    expect(readFileSync(join(dataDir, 'master-secret'), 'utf8').trim()).toBe(first.masterSecret.toString('base64url'));
  });

  it('refuses a damaged development master secret file rather than replacing it', () => {
    writeFileSync(join(dataDir, 'master-secret'), 'too-short\n');
    expect(() => loadConfig({ DATA_DIR: dataDir })).toThrow(/does not hold a valid master secret/);
  });
});

describe('decodeMasterSecret', () => {
  const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 3));

  it.each([
    ['hex', bytes.toString('hex')],
    ['base64', bytes.toString('base64')],
    ['base64url', bytes.toString('base64url')],
  ])('reads %s', (_, text) => {
    expect(decodeMasterSecret(text)).toEqual(bytes);
  });

  it.each([
    ['31 bytes', Buffer.alloc(31, 1).toString('hex')],
    ['not base64 or hex', 'this is not a secret!'.repeat(4)],
    ['empty', ''],
  ])('refuses %s', (_, text) => {
    expect(decodeMasterSecret(text)).toBeUndefined();
  });
});
