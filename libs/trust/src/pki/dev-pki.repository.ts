import { X509Certificate } from '@peculiar/x509';
import type { AuditTrail } from '#idtoken/audit';
import type { KeyMaterial, KeyMaterialStore } from '#idtoken/keys';
import { certificateReferenceHex } from '../certificate-reference.js';
import { generateDevPki, type DevPki } from './dev-pki.js';
import type { PkiCredential } from './pki-credential.js';

type Role = keyof DevPki;

/** key_material purposes of the development PKI; the private keys are sealed under MASTER. */
export const DEV_PKI_PURPOSES: Record<Role, string> = {
  anchor: 'trust-anchor',
  ca: 'trust-ca',
  identityVdsSigner: 'identity-vds-signer',
  serviceVdsSigner: 'service-vds-signer',
};

/** The anchor is saved last: a generation whose anchor row exists is complete. */
const SAVE_ORDER: readonly Role[] = ['ca', 'identityVdsSigner', 'serviceVdsSigner', 'anchor'];
const ROLES = Object.keys(DEV_PKI_PURPOSES) as Role[];

/** A generation is named after its anchor's certificate reference; each row's kid is `<purpose>:<generation>`. */
const generationOf = (kid: string) => kid.slice(kid.lastIndexOf(':') + 1);

function credential(key: KeyMaterial): PkiCredential | undefined {
  if (!key.certificateDer) return undefined;
  // PGlite hands bytea back as a plain Uint8Array, whatever the entity's type says.
  const certificateDer = Buffer.from(key.certificateDer);
  return { certificate: new X509Certificate(certificateDer), certificateDer, privateKey: key.privateKey };
}

const validAt = (pki: DevPki, at: Date) =>
  ROLES.every((role) => pki[role].certificate.notBefore <= at && at <= pki[role].certificate.notAfter);

/**
 * The development PKI in key_material. Several nodes may boot on an empty database at once; each may
 * generate a PKI, but all of them then use the oldest complete one (by anchor row), so they agree.
 */
export class DevPkiRepository {
  constructor(
    private readonly keys: KeyMaterialStore,
    private readonly audit: AuditTrail,
  ) {}

  /** The PKI in use: the oldest complete, unretired generation whose certificates are all valid at `at`. */
  async current(at: Date): Promise<DevPki | undefined> {
    const rows = {} as Record<Role, KeyMaterial[]>;
    for (const role of ROLES) {
      rows[role] = (await this.keys.list(DEV_PKI_PURPOSES[role])).filter((key) => key.retiredAt === null);
    }
    for (const anchorRow of rows.anchor) {
      const generation = generationOf(anchorRow.kid);
      const member = (role: Role) => {
        const row = rows[role].find((key) => generationOf(key.kid) === generation);
        return row && credential(row);
      };
      const [anchor, ca, identityVdsSigner, serviceVdsSigner] = [
        member('anchor'),
        member('ca'),
        member('identityVdsSigner'),
        member('serviceVdsSigner'),
      ];
      if (!anchor || !ca || !identityVdsSigner || !serviceVdsSigner) continue;
      const pki: DevPki = { anchor, ca, identityVdsSigner, serviceVdsSigner };
      if (validAt(pki, at)) return pki;
    }
    return undefined;
  }

  /** Generates and saves a new PKI; returns the one in use afterwards (another node's, if it was first). */
  async create(now: Date, actor: string): Promise<DevPki> {
    const pki = await generateDevPki(now);
    const generation = certificateReferenceHex(pki.anchor.certificateDer);
    for (const role of SAVE_ORDER) {
      await this.keys.save({
        purpose: DEV_PKI_PURPOSES[role],
        kid: `${DEV_PKI_PURPOSES[role]}:${generation}`,
        algorithm: 'ES256',
        privateKey: pki[role].privateKey,
        certificateDer: pki[role].certificateDer,
      });
    }
    await this.audit.record({
      type: 'trust.dev_pki_generated',
      actor,
      subject: generation,
      data: { anchorSubject: pki.anchor.certificate.subject },
    });
    const inUse = await this.current(now);
    if (!inUse) throw new Error('the development PKI just saved cannot be read back');
    if (certificateReferenceHex(inUse.anchor.certificateDer) !== generation)
      await this.retireGeneration(generation, now);
    return inUse;
  }

  /** Retires every development PKI generation (`pki:dev --force`, before `create`). */
  async retireAll(at: Date): Promise<void> {
    for (const role of ROLES) {
      for (const key of await this.keys.list(DEV_PKI_PURPOSES[role])) {
        if (key.retiredAt === null) await this.keys.retire(key.kid, at);
      }
    }
  }

  private async retireGeneration(generation: string, at: Date): Promise<void> {
    for (const role of ROLES) await this.keys.retire(`${DEV_PKI_PURPOSES[role]}:${generation}`, at);
  }
}
