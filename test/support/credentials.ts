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
