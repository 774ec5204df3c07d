import { webcrypto } from 'node:crypto';
import { BasicConstraintsExtension, X509CertificateGenerator } from '@peculiar/x509';
import { encode } from '@msgpack/msgpack';
import { TrustStore } from '#idtoken/trust';
import {
  SERVICE_MANIFEST,
  VDS_ENVIRONMENT,
  VdsError,
  decodeVds,
  encodeVdsBinary,
  signVds,
  toVdsText,
  type ServicePayload,
} from '#idtoken/vds';
import { createTestSigner, servicePayload, signService } from '../libs/vds/src/testing/vds-test-kit.js';
import { IdTokenClient, TslTrust } from '../apps/device/src/index.js';
import { newDevice } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

/** The phone's trust in the server's signed lists (spec §2): pinned anchor, signatures, freshness. */
describe('device trust lists', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(async () => server?.close());

  it('accepts the lists signed under the anchor it pinned', async () => {
    const client = new IdTokenClient(server.baseUrl);
    const first = await TslTrust.fetch(client);
    const pinned = first.anchors[0]!.toString('pem');
    await expect(TslTrust.fetch(client, pinned)).resolves.toBeInstanceOf(TslTrust);
  });

  it('refuses lists whose nextUpdate has passed (a stale or replayed VRL cannot hide a revocation)', async () => {
    const twoHoursLater = new Date(Date.now() + 2 * 3_600_000);
    await expect(TslTrust.fetch(new IdTokenClient(server.baseUrl), undefined, twoHoursLater)).rejects.toThrow(/stale/);
  });

  it('refuses, on the phone, a Service VDS signed outside the trust store before showing it', async () => {
    const device = await newDevice(server.baseUrl);
    const forged = toVdsText(signService(await createTestSigner(), { sid: 'look-alike-shop' }));
    const error = await device.inspectService(forged).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VdsError);
    expect((error as VdsError).code).toBe('vds_unknown_signer');
  });

  it('refuses, on the phone, an expired Service VDS and one whose scope ceiling was edited after signing', async () => {
    const device = await newDevice(server.baseUrl);
    const signer = await server.app.get(TrustStore).signerFor(SERVICE_MANIFEST);
    const now = Math.floor(Date.now() / 1000);
    const sign = (payload: ServicePayload) =>
      signVds({
        iac: 'IDT',
        cin: VDS_ENVIRONMENT.test,
        manifestId: SERVICE_MANIFEST,
        certificateDer: signer.certificateDer,
        signingTime: now - 10,
        payload,
        privateKey: signer.privateKey,
      });
    const base = servicePayload({
      sid: 'corner-shop',
      iss: server.env.config.issuerUrl,
      iat: now - 100,
      exp: now + 3600,
    });

    const expired = toVdsText(sign({ ...base, exp: now - 1 }));
    await expect(device.inspectService(expired)).rejects.toMatchObject({ code: 'vds_expired' });

    // Same signature over a payload that now claims more scopes.
    const genuine = decodeVds(sign({ ...base, scp: ['identity:age_over_18'] }));
    const widened = encodeVdsBinary({
      ...genuine,
      payloadBytes: encode({ ...base, scp: ['identity:age_over_18', 'identity:full_with_photo'] }, { sortKeys: true }),
    });
    await expect(device.inspectService(toVdsText(widened))).rejects.toMatchObject({ code: 'vds_bad_signature' });
  });

  it('refuses lists that do not chain to the pinned anchor', async () => {
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const other = await X509CertificateGenerator.createSelfSigned(
      {
        name: 'CN=Some other anchor',
        keys,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 86_400_000),
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        extensions: [new BasicConstraintsExtension(true, undefined, true)],
      },
      webcrypto,
    );
    await expect(TslTrust.fetch(new IdTokenClient(server.baseUrl), other.toString('pem'))).rejects.toThrow(
      /does not chain to the trust anchor|does not list the pinned trust anchor/,
    );
  });
});
