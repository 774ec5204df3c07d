import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCsca, createTestPassport, type TestCsca } from '#idtoken/issuance';
import {
  Device,
  DeviceLogin,
  FileKeystore,
  IdTokenClient,
  PLACEHOLDER_PORTRAIT_WEBP,
  Station,
  TslTrust,
} from '../../apps/device/src/index.js';
import { postJson } from './http.js';

/** The relying party every login goes to: registered with a secret, so every initiate is authenticated. */
export interface BenchService {
  serviceId: string;
  secret: string;
  /** Its registered origin: what the browser socket's Origin header says. */
  origin: string;
  /** Asked for on every initiate and granted in full on every verify. */
  scopes: string[];
}

/** An enrolled phone trusting the service, and its login side. */
export interface Phone {
  device: Device;
  login: DeviceLogin;
}

export interface Population {
  service: BenchService;
  phones: Phone[];
  /** Removes the phones' keystore folders. */
  dispose(): void;
}

const SCOPES = ['identity:name', 'identity:age_over_18', 'identity:trust_level'];
const ISSUING_POOL = 4;

/**
 * What a deployment has before anyone logs in (spec §3, §4, §5): a CSCA on the master list, a station, a service,
 * and `devices` phones each with a credential of its own from a synthetic passport, enrolled and trusting the service.
 */
export async function populate(
  baseUrl: string,
  adminKey: string,
  devices: number,
  onProgress: (done: number) => void = () => undefined,
): Promise<Population> {
  const admin = new IdTokenClient(baseUrl, adminKey);
  const csca = await createTestCsca();
  await Station.registerCsca(admin, csca.certificatePem);
  const { station } = await Station.register(admin, 'bench desk');
  const service = await registerService(baseUrl, adminKey);
  const serviceVds = (await admin.get<{ serviceVds: string }>(`/services/${service.serviceId}/vds`)).serviceVds;
  const trust = await TslTrust.fetch(new IdTokenClient(baseUrl));

  const keystores = mkdtempSync(join(tmpdir(), 'idtoken-bench-devices-'));
  const dispose = () => rmSync(keystores, { recursive: true, force: true });
  try {
    let done = 0;
    const phones = await inPool(devices, ISSUING_POOL, async (index) => {
      const phone = await enrolledPhone({ baseUrl, station, csca, trust, serviceVds, keystores, index });
      onProgress((done += 1));
      return phone;
    });
    return { service, phones, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

async function registerService(baseUrl: string, adminKey: string): Promise<BenchService> {
  const service = { serviceId: 'bench-shop', origin: 'https://shop.example', scopes: SCOPES };
  const created = await postJson<{ serviceSecret: string }>(
    `${baseUrl}/admin/services`,
    {
      serviceId: service.serviceId,
      name: 'Benchmark shop',
      url: service.origin,
      allowedScopes: SCOPES,
      defaultScopes: SCOPES,
    },
    { authorization: `Bearer ${adminKey}` },
  );
  return { ...service, secret: created.serviceSecret };
}

async function enrolledPhone(parts: {
  baseUrl: string;
  station: Station;
  csca: TestCsca;
  trust: TslTrust;
  serviceVds: string;
  keystores: string;
  index: number;
}): Promise<Phone> {
  const passport = await createTestPassport({
    csca: parts.csca,
    // A document of its own per phone, as a real population would have.
    mrz: { documentNumber: `BN${String(parts.index).padStart(7, '0')}` },
    photo: PLACEHOLDER_PORTRAIT_WEBP,
    aa: 'ecdsa',
  });
  const face = new Uint8Array(Array.from({ length: 64 }, (_, i) => (i * 37) % 256));
  const issued = await parts.station.issueFor(passport, {
    template: face,
    livenessScore: 0.99,
    matchScore: 0.95,
    photoWebp: PLACEHOLDER_PORTRAIT_WEBP,
  });
  const device = new Device({
    client: new IdTokenClient(parts.baseUrl),
    keystore: new FileKeystore(join(parts.keystores, String(parts.index))),
    trust: parts.trust,
  });
  await device.receiveCredential(issued.vds);
  await device.enroll({ liveFaceTemplate: face });
  await device.trustService(parts.serviceVds);
  return { device, login: new DeviceLogin(device, parts.baseUrl) };
}

/** `count` tasks, at most `width` at a time; results in index order. */
async function inPool<T>(count: number, width: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return results;
}
