import { createHash, createPublicKey, webcrypto } from 'node:crypto';
import { AsnArray, AsnConvert, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import { X509Certificate } from '@peculiar/x509';
import { compactVerify, importX509 } from 'jose';
import { VdsError, type VdsSigner, type VdsTrust } from '#idtoken/vds';
import type { IdTokenClient } from './idtoken-client.js';

/** Spec §2: the UsageList extension (private arc): SEQUENCE OF OCTET STRING(3) manifest IDs. */
const USAGE_LIST_OID = '1.3.6.1.4.1.99999.22376.1';

@AsnType({ type: AsnTypeTypes.Sequence, itemType: OctetString })
class UsageList extends AsnArray<OctetString> {}

interface TrustServiceList {
  issuer: string;
  issuedAt: number;
  nextUpdate: number;
  anchors: string[];
  certificates: string[];
}

interface RevocationList {
  issuedAt: number;
  nextUpdate: number;
  revokedFingerprints: string[];
  revokedCertificateReferences: string[];
}

const b64 = (der: string) => new X509Certificate(Buffer.from(der, 'base64'));
const reference = (der: ArrayBuffer) =>
  createHash('sha256').update(Buffer.from(der)).digest().subarray(0, 8).toString('hex');

/**
 * The phone's trust in VDS signers, from the server's signed lists (spec §2): GET /trust/tsl and
 * /trust/vrl are compact JWSs whose `x5c` chain must end at the anchor the phone was given (`pinnedAnchorPem`)
 * — or, without one, at the anchor of the first list fetched (trust on first use, recorded by the caller).
 * Only the JWS payloads are used, never the clear copies beside them.
 */
export class TslTrust implements VdsTrust {
  private constructor(
    readonly anchors: X509Certificate[],
    private readonly certificates: X509Certificate[],
    private readonly revokedFingerprints: Set<string>,
    private readonly revokedReferences: Set<string>,
  ) {}

  static async fetch(client: IdTokenClient, pinnedAnchorPem?: string): Promise<TslTrust> {
    const served = await client.get<{ jws: string }>('/trust/tsl');
    // Without a pinned anchor: trust on first use — the first anchor the list names; the caller records it.
    const anchor = new X509Certificate(pinnedAnchorPem ?? firstListedAnchor(served.jws));
    const tsl = await verifiedList<TrustServiceList>(served, 'idtoken-tsl+json', anchor);
    if (!tsl.anchors.map(b64).some((listed) => listed.equal(anchor))) {
      throw new Error('the TSL does not list the pinned trust anchor');
    }
    const vrl = await verifiedList<RevocationList>(
      await client.get<{ jws: string }>('/trust/vrl'),
      'idtoken-vrl+json',
      anchor,
    );
    return new TslTrust(
      [anchor],
      tsl.certificates.map(b64),
      new Set(vrl.revokedFingerprints.map((f) => f.toLowerCase())),
      new Set(vrl.revokedCertificateReferences.map((r) => r.toLowerCase())),
    );
  }

  async findSigner(certificateReference: Uint8Array): Promise<VdsSigner | undefined> {
    const wanted = Buffer.from(certificateReference).toString('hex');
    const certificate = this.certificates.find((c) => reference(c.rawData) === wanted);
    if (!certificate) return undefined;
    return {
      certificateDer: new Uint8Array(certificate.rawData),
      publicKey: createPublicKey({ key: Buffer.from(certificate.publicKey.rawData), format: 'der', type: 'spki' }),
    };
  }

  async checkSigner(signer: VdsSigner, manifestId: number, at: Date): Promise<void> {
    const certificate = new X509Certificate(signer.certificateDer);
    const chain = await this.chainOf(certificate, at);
    for (const link of chain) {
      if (this.revokedReferences.has(reference(link.rawData))) {
        throw new VdsError('vds_untrusted_signer', `certificate "${link.subject}" is revoked`);
      }
    }
    const extension = certificate.getExtension(USAGE_LIST_OID);
    const usages = extension
      ? AsnConvert.parse(extension.value, UsageList).map((o) => Buffer.from(o.buffer).readUIntBE(0, 3))
      : [];
    if (!usages.includes(manifestId))
      throw new VdsError('vds_untrusted_signer', `the signer may not sign manifest 0x${manifestId.toString(16)}`);
  }

  async isRevoked(fingerprint: string): Promise<boolean> {
    return this.revokedFingerprints.has(fingerprint.toLowerCase());
  }

  /** signer → … → pinned anchor, every signature and validity period checked at `at`. */
  private async chainOf(signer: X509Certificate, at: Date): Promise<X509Certificate[]> {
    const chain = [signer];
    for (let current = signer; ;) {
      if (!(current.notBefore <= at && at <= current.notAfter)) {
        throw new VdsError(
          'vds_untrusted_signer',
          `certificate "${current.subject}" is not valid at ${at.toISOString()}`,
        );
      }
      if (this.anchors.some((anchor) => anchor.equal(current))) return chain;
      const issuer = [...this.certificates, ...this.anchors].find(
        (candidate) => candidate.subject === current.issuer && !candidate.equal(current),
      );
      if (!issuer || !(await current.verify({ publicKey: issuer.publicKey, signatureOnly: true }, webcrypto))) {
        throw new VdsError(
          'vds_untrusted_signer',
          `certificate "${current.subject}" does not chain to the trust anchor`,
        );
      }
      chain.push(issuer);
      if (chain.length > 8) throw new VdsError('vds_untrusted_signer', 'the certificate chain is too long');
      current = issuer;
    }
  }
}

/** The first anchor a TSL names, read without verification: only for trust on first use. */
function firstListedAnchor(jws: string): string {
  const payload = JSON.parse(
    Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as Partial<TrustServiceList>;
  const [first] = payload.anchors ?? [];
  if (!first) throw new Error('the TSL names no trust anchor');
  return b64(first).toString('pem');
}

/** Verifies a list's compact JWS: typ, `x5c` chain to `anchor`, ES256 signature; returns its payload. */
async function verifiedList<T>(served: { jws: string }, type: string, anchor: X509Certificate): Promise<T> {
  const [protectedHeader] = served.jws.split('.');
  const header = JSON.parse(Buffer.from(protectedHeader ?? '', 'base64url').toString('utf8')) as {
    typ?: string;
    x5c?: string[];
    alg?: string;
  };
  const chain = (header.x5c ?? []).map(b64);
  const [signer] = chain;
  if (header.typ !== type || header.alg !== 'ES256' || !signer) throw new Error(`not a signed ${type} list`);
  // x5c is signer first; each certificate is signed by the next, the last by the anchor (or it is the anchor).
  for (const [index, certificate] of chain.entries()) {
    if (certificate.equal(anchor)) break;
    const issuer = chain[index + 1] ?? anchor;
    if (!(await certificate.verify({ publicKey: issuer.publicKey, signatureOnly: true }, webcrypto))) {
      throw new Error(`the ${type} signer does not chain to the trust anchor`);
    }
  }
  const key = await importX509(signer.toString('pem'), 'ES256');
  const { payload } = await compactVerify(served.jws, key, { algorithms: ['ES256'] });
  return JSON.parse(new TextDecoder().decode(payload)) as T;
}
