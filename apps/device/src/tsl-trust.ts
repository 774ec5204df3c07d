import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms through tsyringe, which needs it first
import { createHash, createPublicKey, webcrypto } from 'node:crypto';
import { AsnArray, AsnConvert, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import { BasicConstraintsExtension, X509Certificate } from '@peculiar/x509';
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

  static async fetch(client: IdTokenClient, pinnedAnchorPem?: string, now: Date = new Date()): Promise<TslTrust> {
    const served = await client.get<{ jws: string }>('/trust/tsl');
    // Without a pinned anchor: trust on first use — the first anchor the list names; the caller records it.
    const anchor = new X509Certificate(pinnedAnchorPem ?? firstListedAnchor(served.jws));
    const tsl = await verifiedList<TrustServiceList>(served, 'idtoken-tsl+json', anchor, now);
    if (!tsl.anchors.map(b64).some((listed) => listed.equal(anchor))) {
      throw new Error('the TSL does not list the pinned trust anchor');
    }
    const vrl = await verifiedList<RevocationList>(
      await client.get<{ jws: string }>('/trust/vrl'),
      'idtoken-vrl+json',
      anchor,
      now,
    );
    // A list signed by a certificate the VRL revokes proves nothing.
    const revokedReferences = new Set(vrl.revokedCertificateReferences.map((r) => r.toLowerCase()));
    if (x5cOf(served.jws).some((certificate) => revokedReferences.has(reference(certificate.rawData)))) {
      throw new Error('the TSL signer is revoked');
    }
    return new TslTrust(
      [anchor],
      tsl.certificates.map(b64),
      new Set(vrl.revokedFingerprints.map((f) => f.toLowerCase())),
      revokedReferences,
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
    if (!usageListOf(certificate).includes(manifestId))
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
        (candidate) => candidate.subject === current.issuer && !candidate.equal(current) && isCa(candidate),
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

/** Spec §2 UsageList: SEQUENCE OF OCTET STRING of exactly 3 bytes; anything else lists nothing. */
function usageListOf(certificate: X509Certificate): number[] {
  const extension = certificate.getExtension(USAGE_LIST_OID);
  if (!extension) return [];
  try {
    const items = AsnConvert.parse(extension.value, UsageList).map((item) => Buffer.from(item.buffer));
    if (items.some((item) => item.length !== 3)) throw new Error('a UsageList item is not 3 bytes');
    return items.map((item) => item.readUIntBE(0, 3));
  } catch (error) {
    throw new VdsError('vds_untrusted_signer', `the signer's UsageList is malformed: ${String(error)}`);
  }
}

function isCa(certificate: X509Certificate): boolean {
  return certificate.getExtension(BasicConstraintsExtension)?.ca === true;
}

function x5cOf(jws: string): X509Certificate[] {
  const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { x5c?: string[] };
  return (header.x5c ?? []).map(b64);
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

/**
 * Verifies a list's compact JWS: typ, `x5c` chain to `anchor` with every certificate valid now, ES256 signature,
 * and freshness — spec §2: a list is used until its `nextUpdate` (≤ 1 hour), never after, so a stale or replayed
 * VRL cannot hide a revocation. Returns its payload.
 */
async function verifiedList<T extends { issuedAt: number; nextUpdate: number }>(
  served: { jws: string },
  type: string,
  anchor: X509Certificate,
  now: Date,
): Promise<T> {
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
    if (!(certificate.notBefore <= now && now <= certificate.notAfter)) {
      throw new Error(`the ${type} signer certificate "${certificate.subject}" is not valid now`);
    }
    if (certificate.equal(anchor)) break;
    const issuer = chain[index + 1] ?? anchor;
    if (!(await certificate.verify({ publicKey: issuer.publicKey, signatureOnly: true }, webcrypto))) {
      throw new Error(`the ${type} signer does not chain to the trust anchor`);
    }
  }
  const key = await importX509(signer.toString('pem'), 'ES256');
  const { payload } = await compactVerify(served.jws, key, { algorithms: ['ES256'] });
  const list = JSON.parse(new TextDecoder().decode(payload)) as T;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const SKEW_SECONDS = 300;
  if (!(list.issuedAt <= nowSeconds + SKEW_SECONDS && nowSeconds < list.nextUpdate)) {
    throw new Error(
      `the ${type} list is stale or not yet valid (issuedAt ${list.issuedAt}, nextUpdate ${list.nextUpdate})`,
    );
  }
  return list;
}
