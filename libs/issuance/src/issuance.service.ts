import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { X509Certificate } from '@peculiar/x509';
import { AuditTrail } from '#idtoken/audit';
import { AppConfig, DomainError } from '#idtoken/platform';
import { TrustStore } from '#idtoken/trust';
import {
  IDENTITY_MANIFEST,
  VDS_ENVIRONMENT,
  signVds,
  toVdsText,
  vdsExpiresAt,
  vdsFingerprint,
  type IdentityPayload,
} from '#idtoken/vds';
import { ActiveAuthError } from './icao/active-auth-error.js';
import { activeAuthentication } from './icao/active-authentication.js';
import { PassiveAuthError } from './icao/passive-auth-error.js';
import { passiveAuthentication } from './icao/passive-authentication.js';
import type { MrzData } from './icao/read-mrz.js';
import { AaChallenges } from './aa-challenges.js';
import { MasterListService } from './master-list/master-list.service.js';

/** Spec §3 request, decoded from base64. */
export interface IssuanceInput {
  dg1: Uint8Array;
  dg2: Uint8Array;
  sod: Uint8Array;
  aa?: { dg15: Uint8Array; challenge: Uint8Array; signature: Uint8Array };
  face: { template: Uint8Array; livenessScore: number; matchScore: number };
  photoWebp: Uint8Array;
}

export interface IssuedCredential {
  tokenId: string;
  vds: string;
  expiresAt: Date;
  trustLevel: IdentityPayload['lvl'];
}

/** Spec §2 field limits: names are cut at 39 characters rather than refusing a long name. */
const NAME_LIMIT = 39;

/**
 * The issuance gateway (spec §3): passive authentication, optional Active Authentication, the face scores,
 * then an identity VDS signed with the identity-VDS key.
 */
@Injectable()
export class IssuanceService {
  constructor(
    private readonly masterList: MasterListService,
    private readonly challenges: AaChallenges,
    private readonly trust: TrustStore,
    private readonly audit: AuditTrail,
    private readonly config: AppConfig,
  ) {}

  async issue(
    input: IssuanceInput,
    context: { actor: string; stationId: string; requestId?: string; ip?: string },
    now = new Date(),
  ): Promise<IssuedCredential> {
    assertFitsManifest(input);
    const mrz = await this.authenticateDocument(input, now);
    // Spec §3: scores below the configured thresholds are refused.
    const { livenessScore, matchScore } = input.face;
    if (livenessScore < this.config.issuanceMinLivenessScore || matchScore < this.config.issuanceMinMatchScore) {
      throw new DomainError('liveness_failed', 'The face liveness or match score is below the configured threshold', {
        livenessScore,
        matchScore,
        minLivenessScore: this.config.issuanceMinLivenessScore,
        minMatchScore: this.config.issuanceMinMatchScore,
      });
    }

    const tokenId = randomUUID();
    // Decision: `high` only when the chip proved it is genuine and present — Active Authentication over a
    // challenge this server issued to this station, used once (see AaChallenges); `substantial` otherwise.
    const freshChip = input.aa !== undefined && (await this.challenges.consume(context.stationId, input.aa.challenge));
    const lvl: IdentityPayload['lvl'] = freshChip ? 'high' : 'substantial';
    const signer = await this.trust.signerFor(IDENTITY_MANIFEST);
    // A credential must not outlive the certificate that vouches for it (spec §2 step 4 is judged when verifying).
    const signerExpiry = new X509Certificate(signer.certificateDer).notAfter;
    const exp = credentialExpiry(mrz.expiryDate, now, this.config.identityVdsMaxValidityDays, signerExpiry);
    const payload: IdentityPayload = {
      gn: mrz.givenNames.slice(0, NAME_LIMIT),
      fn: mrz.surname.slice(0, NAME_LIMIT),
      dob: mrz.birthDate,
      nat: isoAlpha3(mrz.nationality),
      sex: mrz.sex,
      doc: mrz.documentNumber,
      dty: mrz.documentType,
      dst: isoAlpha3(mrz.issuingState),
      dex: mrz.expiryDate,
      tid: tokenId,
      exp,
      lvl,
      photo: input.photoWebp,
      face: input.face.template,
    };
    const binary = signVds({
      iac: this.config.vdsIac,
      cin: VDS_ENVIRONMENT[
        this.config.nodeEnv === 'production' ? 'production' : this.config.nodeEnv === 'test' ? 'test' : 'development'
      ],
      manifestId: IDENTITY_MANIFEST,
      certificateDer: signer.certificateDer,
      signingTime: Math.floor(now.getTime() / 1000),
      payload,
      privateKey: signer.privateKey,
    });
    await this.audit.record({
      type: 'credential.issued',
      actor: context.actor,
      subject: tokenId,
      requestId: context.requestId,
      ip: context.ip,
      // Enough to trace the credential, nothing about the holder.
      data: {
        vdsFingerprint: vdsFingerprint(binary),
        trustLevel: lvl,
        activeAuthentication: input.aa ? (freshChip ? 'server-challenge' : 'station-challenge') : 'none',
        expires: exp,
      },
    });
    return { tokenId, vds: toVdsText(binary), expiresAt: vdsExpiresAt(IDENTITY_MANIFEST, payload), trustLevel: lvl };
  }

  private async authenticateDocument(input: IssuanceInput, now: Date): Promise<MrzData> {
    try {
      const result = passiveAuthentication(
        { dg1: input.dg1, dg2: input.dg2, sod: input.sod, dg15: input.aa?.dg15 },
        { cscaCertificates: await this.masterList.certificates(), now },
      );
      if (input.aa) activeAuthentication(input.aa);
      // An expiry with unknown parts (`<<` in the MRZ) cannot be judged: refused like an expired document.
      if (
        !/^\d{4}-\d{2}-\d{2}$/.test(result.mrz.expiryDate) ||
        result.mrz.expiryDate < now.toISOString().slice(0, 10)
      ) {
        throw new DomainError(
          'passive_auth_failed',
          `The document expiry date ${result.mrz.expiryDate} has passed or is unknown`,
          {
            check: 'document_expired',
          },
        );
      }
      return result.mrz;
    } catch (error) {
      if (error instanceof PassiveAuthError) {
        throw new DomainError('passive_auth_failed', `Passive authentication failed: ${error.message}`, {
          check: error.check,
        });
      }
      if (error instanceof ActiveAuthError) {
        throw new DomainError('active_auth_failed', `Active authentication failed: ${error.message}`, {
          reason: error.reason,
        });
      }
      throw error;
    }
  }
}

/** Spec §2 identity manifest: `photo` is WEBP of ≤ 4096 bytes, `face` ≤ 1024 bytes — refused up front, not at signing. */
function assertFitsManifest(input: IssuanceInput): void {
  const photo = Buffer.from(input.photoWebp);
  const isWebp =
    photo.length >= 12 && photo.toString('latin1', 0, 4) === 'RIFF' && photo.toString('latin1', 8, 12) === 'WEBP';
  if (!isWebp || photo.length > 4096) {
    throw new DomainError('invalid_request', 'photoWebp must be a WEBP image of at most 4096 bytes (spec §2 `photo`)');
  }
  if (input.face.template.length === 0 || input.face.template.length > 1024) {
    throw new DomainError('invalid_request', 'face.template must be 1 to 1024 bytes (spec §2 `face`)');
  }
}

/**
 * Decision: the credential ends with the document, never later than `maxDays` after issuance, and never after
 * its signer's certificate.
 */
function credentialExpiry(documentExpiry: string, now: Date, maxDays: number, signerExpiry: Date): string {
  const cap = new Date(Math.min(now.getTime() + maxDays * 86_400_000, signerExpiry.getTime() - 86_400_000));
  const capDate = cap.toISOString().slice(0, 10);
  return documentExpiry < capDate ? documentExpiry : capDate;
}

/**
 * ICAO 9303 part 3 codes are ISO 3166-1 alpha-3 except Germany's `D`; spec §2 wants alpha-3. (ICAO's other
 * non-ISO codes — EUE, UNO, XXA… — are already three letters and pass as they are.)
 */
function isoAlpha3(icaoCode: string): string {
  return icaoCode === 'D' ? 'DEU' : icaoCode;
}
