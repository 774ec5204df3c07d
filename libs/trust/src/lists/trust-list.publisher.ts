import type { TrustStore } from '../trust.store.js';
import { TSL_JWS_TYPE, VRL_JWS_TYPE, signList } from './sign-list.js';

/** spec §2: caches of fetched lists last at most 1 hour. The VRL is kept shorter: revocations should travel fast. */
export const TSL_LIFETIME_SECONDS = 3600;
export const VRL_LIFETIME_SECONDS = 300;

interface ListHead {
  /** ISSUER_URL, byte for byte. */
  issuer: string;
  /** Unix seconds. */
  issuedAt: number;
  /** Unix seconds; fetch again by then (≤ 1 hour after issuedAt). */
  nextUpdate: number;
}

export interface TrustServiceListPayload extends ListHead {
  /** Trust anchor certificates, b64 DER. */
  anchors: string[];
  /** CA and signing certificates, b64 DER. */
  certificates: string[];
}

export interface RevocationListPayload extends ListHead {
  /** VDS fingerprints (spec §2), lower-case hex, ascending. */
  revokedFingerprints: string[];
  /** Certificate references (first 8 bytes of SHA-256 of the DER), lower-case hex, ascending. */
  revokedCertificateReferences: string[];
}

/** A list as served: the compact JWS first, then the same payload fields in clear for convenience. */
export type SignedList<P> = { jws: string } & P;

/** Builds and signs GET /trust/tsl and GET /trust/vrl (spec §2, docs/decisions.md "Trust"). */
export class TrustListPublisher {
  constructor(
    private readonly trust: TrustStore,
    private readonly issuer: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async trustServiceList(): Promise<SignedList<TrustServiceListPayload>> {
    const { anchors, certificates } = this.trust.trustServiceList();
    const payload: TrustServiceListPayload = {
      ...this.head(TSL_LIFETIME_SECONDS),
      anchors: anchors.map((der) => der.toString('base64')),
      certificates: certificates.map((der) => der.toString('base64')),
    };
    return { jws: await signList(payload, TSL_JWS_TYPE, this.trust.trustListSigner()), ...payload };
  }

  async revocationList(): Promise<SignedList<RevocationListPayload>> {
    const { fingerprints, certificateReferences } = await this.trust.revocationList();
    const payload: RevocationListPayload = {
      ...this.head(VRL_LIFETIME_SECONDS),
      revokedFingerprints: fingerprints,
      revokedCertificateReferences: certificateReferences,
    };
    return { jws: await signList(payload, VRL_JWS_TYPE, this.trust.trustListSigner()), ...payload };
  }

  private head(lifetimeSeconds: number): ListHead {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    return { issuer: this.issuer, issuedAt, nextUpdate: issuedAt + lifetimeSeconds };
  }
}
