import type { ManifestId } from '../vds-contract.js';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST } from '../vds-contract.js';
import type { DevPki } from './dev-pki.js';
import type { DevPkiRepository } from './dev-pki.repository.js';
import type { PkiCredential } from './pki-credential.js';
import { TrustMaterialSource, type TrustMaterial } from './trust-material.js';

/** The trust material of a development PKI: the anchor also signs the trust lists (its key is online anyway). */
export function devPkiMaterial(pki: DevPki): TrustMaterial {
  return {
    anchors: [pki.anchor.certificate],
    certificates: [pki.ca.certificate, pki.identityVdsSigner.certificate, pki.serviceVdsSigner.certificate],
    vdsSigners: new Map<ManifestId, PkiCredential>([
      [IDENTITY_MANIFEST, pki.identityVdsSigner],
      [SERVICE_MANIFEST, pki.serviceVdsSigner],
    ]),
    trustListSigner: pki.anchor,
  };
}

/** Development and test adapter: the PKI kept in key_material, generated on first use and reused afterwards. */
export class DevPkiSource extends TrustMaterialSource {
  readonly kind = 'development';

  constructor(
    private readonly repository: DevPkiRepository,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  async load(): Promise<TrustMaterial> {
    const now = this.now();
    const pki = (await this.repository.current(now)) ?? (await this.repository.create(now, 'system'));
    return devPkiMaterial(pki);
  }
}
