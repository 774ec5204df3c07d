import { createPublicKey, type KeyObject } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';
import type { EntityManager } from 'typeorm';
import { DomainError } from '#idtoken/platform';
import { buildPathToAnchor, type CertificationPath } from './chain/build-path.js';
import { checkPathStructure, checkValidityAndRevocation } from './chain/check-path.js';
import { untrusted } from './chain/untrusted.js';
import { certificateReferenceHex, isCertificateReferenceHex, isFingerprintHex } from './certificate-reference.js';
import type { PkiCredential } from './pki/pki-credential.js';
import type { TrustMaterial, TrustMaterialSource } from './pki/trust-material.js';
import type { RevocationInput } from './revocation/revocation.repository.js';
import type { RevocationList } from './revocation/revocation-list.js';
import type { TrustChanges } from './trust-changes.js';
import type { ManifestId, VdsSigner, VdsTrust } from './vds-contract.js';

/** A key this server signs with, its certificate, and the chain for an `x5c` header (up to, not including, the anchor). */
export interface SigningKey {
  certificateDer: Buffer;
  privateKey: KeyObject;
  /** DER, the signing certificate first; for a self-signed anchor, the anchor alone. */
  chainDer: Buffer[];
}

/** Who revokes and why; `requestId` and `ip` go to the audit trail. */
export interface RevocationContext {
  requestId?: string;
  ip?: string;
}

interface IndexedMaterial {
  material: TrustMaterial;
  /** Signing certificates of the TSL by certificate reference (hex). */
  byReference: Map<string, VdsSigner>;
  signingKeys: Map<ManifestId, SigningKey>;
  trustListSigner: SigningKey;
  /** Certification paths already built, by certificate DER (base64): the material does not change under them. */
  paths: Map<string, Promise<CertificationPath | undefined>>;
  /** What step 4 learns of a signer that neither time nor the VRL changes (see `factsOf`), for this material. */
  signerFacts: WeakMap<VdsSigner, Promise<SignerFacts>>;
}

/**
 * A signing certificate as step 4 sees it once: parsed, its key compared with the one the verifier uses, its path to
 * an anchor, its path's certificate references, and the structural verdict per manifest (undefined = passes).
 */
interface SignerFacts {
  certificate: X509Certificate;
  keyMatches: boolean;
  path: CertificationPath | undefined;
  references: string[];
  structure: Map<number, { error?: unknown }>;
}

const MAX_REASON_LENGTH = 200;

function spkiDer(publicKey: KeyObject): Buffer {
  return publicKey.export({ format: 'der', type: 'spki' });
}

async function signingKey(credential: PkiCredential, material: TrustMaterial): Promise<SigningKey> {
  const path = await buildPathToAnchor(credential.certificate, material.anchors, material.certificates);
  if (!path) throw new Error(`"${credential.certificate.subject}" does not chain to a configured trust anchor`);
  const chain = path.length > 1 ? path.slice(0, -1) : path;
  return {
    certificateDer: Buffer.from(credential.certificateDer),
    privateKey: credential.privateKey,
    chainDer: chain.map((certificate) => Buffer.from(certificate.rawData)),
  };
}

async function indexMaterial(material: TrustMaterial): Promise<IndexedMaterial> {
  const byReference = new Map<string, VdsSigner>();
  for (const certificate of material.certificates) {
    const certificateDer = new Uint8Array(certificate.rawData);
    byReference.set(certificateReferenceHex(certificateDer), {
      certificateDer,
      publicKey: createPublicKey({ key: Buffer.from(certificate.publicKey.rawData), format: 'der', type: 'spki' }),
    });
  }
  const signingKeys = new Map<ManifestId, SigningKey>();
  for (const [manifestId, credential] of material.vdsSigners) {
    signingKeys.set(manifestId, await signingKey(credential, material));
  }
  return {
    material,
    byReference,
    signingKeys,
    trustListSigner: await signingKey(material.trustListSigner, material),
    paths: new Map(),
    signerFacts: new WeakMap(),
  };
}

export interface TrustStoreParts {
  source: TrustMaterialSource;
  revocations: RevocationList;
  changes: TrustChanges;
  warn?: (message: string) => void;
}

/**
 * The trust store of spec §2: anchors, the trust service list (CA and signing certificates), the VDS
 * Revocation List, and this server's own VDS signing keys. Implements steps 3, 4 and 7 of VDS verification.
 */
export class TrustStore implements VdsTrust {
  private constructor(
    private indexed: IndexedMaterial,
    private readonly parts: TrustStoreParts,
  ) {
    parts.changes.onChange((change) => {
      if (change === 'pki') {
        this.reloadMaterial().catch((error: unknown) =>
          parts.warn?.(`reloading the trust material failed: ${String(error)}`),
        );
      }
    });
  }

  /** Loads the material (in development: creates the PKI once) and indexes it. */
  static async open(parts: TrustStoreParts): Promise<TrustStore> {
    return new TrustStore(await indexMaterial(await parts.source.load()), parts);
  }

  /** spec §2 step 3: the signing certificate with this reference, from the trust service list. */
  async findSigner(certificateReference: Uint8Array): Promise<VdsSigner | undefined> {
    return this.indexed.byReference.get(Buffer.from(certificateReference).toString('hex'));
  }

  /**
   * spec §2 step 4: chains to a configured anchor, every certificate valid at `at` and not revoked by
   * reference, the UsageList lists the manifest. Rejects with DomainError `vds_untrusted_signer` and a `check`.
   */
  async checkSigner(signer: VdsSigner, manifestId: number, at: Date): Promise<void> {
    const facts = await this.factsOf(signer);
    const { certificate, path } = facts;
    // The verifier checks the signature with `publicKey`: it must be this certificate's key, or the chain proves nothing.
    if (!facts.keyMatches) {
      throw untrusted('public_key_mismatch', `the public key given is not the key of "${certificate.subject}"`);
    }
    if (!path) {
      throw untrusted('no_path_to_anchor', `"${certificate.subject}" does not chain to a configured trust anchor`);
    }
    const revocations = await this.parts.revocations.current();
    // Every time: validity at `at` and the VRL's certificate references.
    checkValidityAndRevocation(
      path,
      { at, isCertificateRevoked: (reference) => revocations.certificateReferences.has(reference) },
      facts.references,
    );
    // Once per signer and manifest: the rest depends on the certificates alone.
    let verdict = facts.structure.get(manifestId);
    if (!verdict) {
      try {
        checkPathStructure(path, manifestId);
        verdict = {};
      } catch (error) {
        verdict = { error };
      }
      facts.structure.set(manifestId, verdict);
    }
    if (verdict.error !== undefined) throw verdict.error;
  }

  /**
   * Parsing the certificate, comparing keys and hashing the path cost more than the rest of a Service VDS check
   * (docs/performance.md): done once per signer object of the current material (signers come from `findSigner`, so
   * the objects are stable; a reload starts afresh).
   */
  private factsOf(signer: VdsSigner): Promise<SignerFacts> {
    const indexed = this.indexed;
    let facts = indexed.signerFacts.get(signer);
    if (!facts) {
      facts = (async () => {
        const certificate = new X509Certificate(signer.certificateDer);
        const path = await this.pathOf(certificate);
        return {
          certificate,
          keyMatches: spkiDer(signer.publicKey).equals(Buffer.from(certificate.publicKey.rawData)),
          path,
          references: (path ?? []).map((each) => certificateReferenceHex(new Uint8Array(each.rawData))),
          structure: new Map(),
        };
      })();
      indexed.signerFacts.set(signer, facts);
      facts.catch(() => indexed.signerFacts.delete(signer));
    }
    return facts;
  }

  /**
   * Whether the signing certificate with this reference (16 hex characters), or a certificate on its path to the
   * anchor, is on the VRL: the credentials it signed are refused at step 4, and the enrollments made with them stop
   * (threat model, F3). A signer no longer in the trust material is judged by its own reference alone.
   */
  async isSignerRevoked(certificateReference: string): Promise<boolean> {
    const revoked = (await this.parts.revocations.current()).certificateReferences;
    if (revoked.size === 0) return false;
    const reference = certificateReference.toLowerCase();
    if (revoked.has(reference)) return true;
    const signer = this.indexed.byReference.get(reference);
    if (!signer) return false;
    return (await this.factsOf(signer)).references.some((each) => revoked.has(each));
  }

  /** spec §2 step 7: the VDS fingerprint is on the VRL. */
  async isRevoked(fingerprint: string): Promise<boolean> {
    return (await this.parts.revocations.current()).fingerprints.has(fingerprint.toLowerCase());
  }

  /** The key and certificate this server signs VDSs of a manifest with (identity VDS for issuance, Service VDS). */
  async signerFor(manifestId: ManifestId): Promise<SigningKey> {
    const key = this.indexed.signingKeys.get(manifestId);
    if (!key) throw new Error(`this server has no signing key for manifest ${manifestId}`);
    return key;
  }

  /** The key and chain that sign /trust/tsl and /trust/vrl. */
  trustListSigner(): SigningKey {
    return this.indexed.trustListSigner;
  }

  /** The trust anchors and the trust service list, as DER. */
  trustServiceList(): { anchors: Buffer[]; certificates: Buffer[] } {
    const der = (certificate: X509Certificate) => Buffer.from(certificate.rawData);
    return {
      anchors: this.indexed.material.anchors.map(der),
      certificates: this.indexed.material.certificates.map(der),
    };
  }

  /** Where the material comes from (production files or the development PKI). */
  get source(): 'files' | 'development' {
    return this.parts.source.kind;
  }

  /** The certificates the store holds now, parsed (admin view): anchors, the TSL, and the lists' signer. */
  material(): { anchors: X509Certificate[]; certificates: X509Certificate[]; trustListSigner: X509Certificate } {
    const { material } = this.indexed;
    return {
      anchors: material.anchors,
      certificates: material.certificates,
      trustListSigner: material.trustListSigner.certificate,
    };
  }

  /**
   * Reads the trust material again (production: the PEM files; development: the database) on this node, then has
   * every other node do the same. The material in use stays if the new one does not load: `409 conflict` says why.
   */
  async reload(): Promise<void> {
    try {
      await this.reloadMaterial();
    } catch (error) {
      throw new DomainError(
        'conflict',
        `The trust material does not load (${error instanceof Error ? error.message : String(error)}); the material in use stays`,
      );
    }
    await this.parts.changes.publish('pki');
  }

  /** Every VRL entry with who revoked it, when and why, newest first. */
  revocationEntries(only?: string): ReturnType<RevocationList['entries']> {
    return this.parts.revocations.entries(only);
  }

  /** The VRL as this node sees it, sorted. */
  async revocationList(): Promise<{ fingerprints: string[]; certificateReferences: string[] }> {
    const snapshot = await this.parts.revocations.current();
    return {
      fingerprints: [...snapshot.fingerprints].sort(),
      certificateReferences: [...snapshot.certificateReferences].sort(),
    };
  }

  /**
   * Puts a VDS on the VRL, with an audit event in the same transaction — the caller's when `manager` is given
   * (e.g. an enrollment revoked with its credential). Visible on this node when the promise resolves (or the
   * caller's transaction commits), on the others within moments. False when it was revoked already.
   */
  async revokeFingerprint(
    fingerprint: string,
    reason: string,
    actor: string,
    manager?: EntityManager,
    context: RevocationContext = {},
  ): Promise<boolean> {
    const normalised = fingerprint.toLowerCase();
    if (!isFingerprintHex(normalised)) {
      throw new DomainError('invalid_request', 'a VDS fingerprint is 64 hexadecimal characters (spec §2)');
    }
    return this.parts.revocations.revokeFingerprint(normalised, revocationInput(reason, actor, context), manager);
  }

  /** Revokes a CA or signing certificate by certificate reference (8 bytes, or 16 hex characters). */
  async revokeCertificate(
    certificateReference: Uint8Array | string,
    reason: string,
    actor: string,
    manager?: EntityManager,
    context: RevocationContext = {},
  ): Promise<boolean> {
    const reference =
      typeof certificateReference === 'string'
        ? certificateReference.toLowerCase()
        : Buffer.from(certificateReference).toString('hex');
    if (!isCertificateReferenceHex(reference)) {
      throw new DomainError('invalid_request', 'a certificate reference is 8 bytes (spec §2)');
    }
    return this.parts.revocations.revokeCertificate(reference, revocationInput(reason, actor, context), manager);
  }

  /** Stops listening for changes (the ephemeral store is closed after this). */
  async close(): Promise<void> {
    await this.parts.changes.stop();
    this.parts.revocations.close();
  }

  private pathOf(certificate: X509Certificate): Promise<CertificationPath | undefined> {
    const indexed = this.indexed;
    const der = Buffer.from(certificate.rawData);
    const build = () => buildPathToAnchor(certificate, indexed.material.anchors, indexed.material.certificates);
    // Cached only for certificates of the trust service list (bounded); keyed by the whole DER, not the 8-byte reference.
    const listed = indexed.byReference.get(certificateReferenceHex(der));
    if (!listed || !der.equals(listed.certificateDer)) return build();
    const key = der.toString('base64');
    let path = indexed.paths.get(key);
    if (!path) {
      path = build();
      indexed.paths.set(key, path);
    }
    return path;
  }

  private async reloadMaterial(): Promise<void> {
    this.indexed = await indexMaterial(await this.parts.source.load());
  }
}

function revocationInput(reason: string, actor: string, context: RevocationContext): RevocationInput {
  const trimmed = reason.trim();
  if (!trimmed || trimmed.length > MAX_REASON_LENGTH) {
    throw new DomainError('invalid_request', `a revocation reason is 1 to ${MAX_REASON_LENGTH} characters`);
  }
  if (!actor.trim()) throw new DomainError('invalid_request', 'a revocation names its actor');
  return { reason: trimmed, actor, requestId: context.requestId, ip: context.ip };
}
