import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the simulated phone remembers between runs (the secure element's key is in key.pem beside it). */
export interface DeviceState {
  deviceId: string;
  /** The identity VDS the phone holds, text form. */
  vds?: string;
  tokenId?: string;
  enrolledAt?: string;
}

/**
 * A file-backed stand-in for the phone's secure element and app storage: one folder holding an ECDSA
 * P-256 private key (PKCS#8 PEM, mode 0600, never sent anywhere) and a small JSON state file.
 */
export class FileKeystore {
  private readonly keyPath: string;
  private readonly statePath: string;

  constructor(readonly folder: string) {
    this.keyPath = join(folder, 'key.pem');
    this.statePath = join(folder, 'device.json');
  }

  /** Creates the key and state on first use; later calls load them. */
  open(): { privateKey: KeyObject; state: DeviceState } {
    mkdirSync(this.folder, { recursive: true, mode: 0o700 });
    if (!existsSync(this.keyPath)) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(this.keyPath, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    }
    if (!existsSync(this.statePath)) this.save({ deviceId: `sim-${randomUUID()}` });
    return {
      privateKey: createPrivateKey(readFileSync(this.keyPath, 'utf8')),
      state: JSON.parse(readFileSync(this.statePath, 'utf8')) as DeviceState,
    };
  }

  save(state: DeviceState): void {
    mkdirSync(this.folder, { recursive: true, mode: 0o700 });
    const temporary = `${this.statePath}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.statePath);
  }
}

/** SPKI PEM and keyId = b64url(SHA-256(SPKI DER)) of the device key (spec §4). */
export function describePublicKey(privateKey: KeyObject): { publicKeyPem: string; keyId: string } {
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: createHash('sha256').update(spki).digest('base64url'),
  };
}
