import { webcrypto } from 'node:crypto';
import { X509CertificateGenerator } from '@peculiar/x509';
import { InProcessStore } from '#idtoken/platform';
import { InMemoryRecords, TestClock } from '../testing/in-memory-token-keys.js';
import { RS256_TOKEN_KEYS } from '../token-keys/rs256.family.js';
import { Rs256TokenKeys } from '../token-keys/rs256-token-keys.js';
import { TokenKeys } from '../token-keys/token-keys.js';
import { CertifiedKeySource, type CertifiedKey } from './certified-key.source.js';
import { Jwks } from './jwks.js';

const SETTINGS = { publishAheadSeconds: 300, retiredGraceSeconds: 3600 };

class FixedCertifiedKeys extends CertifiedKeySource {
  constructor(private readonly keys: CertifiedKey[]) {
    super();
  }
  async certifiedKeys(): Promise<CertifiedKey[]> {
    return this.keys;
  }
}

async function serviceVdsKey(): Promise<CertifiedKey> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const certificate = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=Service VDS test signer',
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2035-01-01T00:00:00Z'),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    },
    webcrypto,
  );
  return { name: 'service-vds', chainDer: [Buffer.from(certificate.rawData)] };
}

describe('Jwks (spec §5)', () => {
  let clock: TestClock;
  let es256: TokenKeys;
  let rs256: Rs256TokenKeys;
  let jwks: Jwks;

  beforeEach(async () => {
    clock = new TestClock();
    const store = new InProcessStore();
    const es256Records = new InMemoryRecords(clock);
    es256 = new TokenKeys(es256Records, store, clock, SETTINGS);
    rs256 = new Rs256TokenKeys(
      new InMemoryRecords(clock, RS256_TOKEN_KEYS, es256Records.allRows),
      store,
      clock,
      SETTINGS,
    );
    await es256.start();
    await rs256.start();
    jwks = new Jwks([es256, rs256], new FixedCertifiedKeys([await serviceVdsKey()]));
  });

  it('publishes the ES256 keys, then the RS256 keys, then the Service-VDS key', async () => {
    const { keys } = await jwks.document();
    expect(keys.map((key) => [key.alg, key.kty])).toEqual([
      ['ES256', 'EC'],
      ['RS256', 'RSA'],
      ['ES256', 'EC'],
    ]);
    expect(keys[0]!.kid).toBe((await es256.signingKey()).kid);
    expect(keys[1]!.kid).toBe((await rs256.signingKey()).kid);
    expect(keys[2]!.kid).toMatch(/^service-vds-[0-9a-f]{16}$/);
  });

  it('carries x5c on the RS256 token keys and the certified key, never on the ES256 token keys', async () => {
    await rs256.rotate({ actor: 'admin:k1' });
    await es256.rotate({ actor: 'admin:k1' });
    const { keys } = await jwks.document();
    const tokenKeys = keys.filter((key) => !key.kid.startsWith('service-vds-'));
    expect(tokenKeys.map((key) => [key.alg, 'x5c' in key, 'x5t#S256' in key])).toEqual([
      ['ES256', false, false],
      ['ES256', false, false],
      ['RS256', true, true],
      ['RS256', true, true],
    ]);
    expect(keys.at(-1)).toHaveProperty('x5c');
  });
});
