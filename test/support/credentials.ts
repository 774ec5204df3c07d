import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCsca, createTestPassport, type TestCsca, type TestPassportOptions } from '#idtoken/issuance';
import {
  Device,
  FileKeystore,
  IdTokenClient,
  PLACEHOLDER_PORTRAIT_WEBP,
  Station,
  TslTrust,
} from '../../apps/device/src/index.js';

export const BOOTSTRAP_ADMIN_KEY = 'bootstrap-admin-key-for-credential-tests-42';

/** A station registered on a running server, with a CSCA on its master list: what a new deployment sets up. */
export async function setUpStation(
  baseUrl: string,
): Promise<{ station: Station; csca: TestCsca; admin: IdTokenClient }> {
  const admin = new IdTokenClient(baseUrl, BOOTSTRAP_ADMIN_KEY);
  const csca = await createTestCsca();
  await Station.registerCsca(admin, csca.certificatePem);
  const { station } = await Station.register(admin, 'test desk');
  return { station, csca, admin };
}

/** A synthetic passport read by the station, with a live face; `face` is what a later enrollment must match. */
export async function issueCredential(
  station: Station,
  csca: TestCsca,
  options: Omit<TestPassportOptions, 'csca'> = { aa: 'ecdsa' },
): Promise<{ tokenId: string; vds: string; expiresAt: string; face: Uint8Array }> {
  const passport = await createTestPassport({ photo: PLACEHOLDER_PORTRAIT_WEBP, ...options, csca });
  const face = new Uint8Array(Array.from({ length: 64 }, (_, i) => (i * 37) % 256));
  const issued = await station.issueFor(
    { ...passport, signChallenge: passport.aaPrivateKey ? passport.signChallenge : undefined },
    { template: face, livenessScore: 0.99, matchScore: 0.95, photoWebp: PLACEHOLDER_PORTRAIT_WEBP },
  );
  return { ...issued, face };
}

/** A simulated phone in a folder of its own, trusting the server's TSL. */
export async function newDevice(baseUrl: string): Promise<Device> {
  const client = new IdTokenClient(baseUrl);
  return new Device({
    client,
    keystore: new FileKeystore(mkdtempSync(join(tmpdir(), 'idtoken-device-'))),
    trust: await TslTrust.fetch(client),
  });
}

/** A service registered through the admin API (bootstrap key): its secret, and its Service VDS for phones to trust. */
export async function registerService(
  baseUrl: string,
  service: { serviceId: string; allowedScopes: string[] } & Record<string, unknown>,
): Promise<{ serviceSecret: string; serviceVds: string }> {
  const created = await fetch(`${baseUrl}/admin/services`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: service.serviceId,
      url: `https://${service.serviceId}.example`,
      defaultScopes: service.allowedScopes.slice(0, 1),
      ...service,
    }),
  });
  if (created.status !== 201)
    throw new Error(`registering ${service.serviceId}: ${created.status} ${await created.text()}`);
  const { serviceSecret } = (await created.json()) as { serviceSecret: string };
  const vds = await fetch(`${baseUrl}/services/${service.serviceId}/vds`);
  if (!vds.ok) throw new Error(`the Service VDS of ${service.serviceId}: ${vds.status} ${await vds.text()}`);
  return { serviceSecret, serviceVds: ((await vds.json()) as { serviceVds: string }).serviceVds };
}

/** A phone holding a fresh credential, enrolled, and trusting the service of `serviceVds` when given. */
export async function enrolledPhone(
  baseUrl: string,
  issuer: { station: Station; csca: TestCsca },
  serviceVds?: string,
): Promise<{ device: Device; face: Uint8Array; vds: string }> {
  const issued = await issueCredential(issuer.station, issuer.csca);
  const device = await newDevice(baseUrl);
  await device.receiveCredential(issued.vds);
  await device.enroll({ liveFaceTemplate: issued.face });
  if (serviceVds) await device.trustService(serviceVds);
  return { device, face: issued.face, vds: issued.vds };
}
