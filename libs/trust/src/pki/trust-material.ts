import type { X509Certificate } from '@peculiar/x509';
import type { ManifestId } from '../vds-contract.js';
import type { PkiCredential } from './pki-credential.js';

/** Everything the trust store holds (spec §1, §2), from the development PKI or from production files. */
export interface TrustMaterial {
  anchors: X509Certificate[];
  /** The trust service list: CA and signing certificates (spec §2 "Trust store"). */
  certificates: X509Certificate[];
  /** This server's own signers: the identity-VDS key (issuance) and the Service-VDS key (spec §1). */
  vdsSigners: ReadonlyMap<ManifestId, PkiCredential>;
  /** Signs /trust/tsl and /trust/vrl: the anchor itself in development, an online delegate in production. */
  trustListSigner: PkiCredential;
}

/**
 * Port: where the trust material comes from. Adapters: the development PKI sealed in key_material
 * (created once) and the PEM files of production. Chosen by whether TRUST_ANCHORS_FILE is set.
 */
export abstract class TrustMaterialSource {
  /** Where the material comes from, for operators: the files of production, or the development PKI. */
  abstract readonly kind: 'files' | 'development';
  abstract load(): Promise<TrustMaterial>;
}
