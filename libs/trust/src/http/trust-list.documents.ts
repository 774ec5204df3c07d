import { ApiProperty } from '@nestjs/swagger';
import type { RevocationListPayload, SignedList, TrustServiceListPayload } from '../lists/trust-list.publisher.js';

const JWS_DESCRIPTION =
  'Compact JWS (ES256) whose payload is this document without `jws`; protected header `typ` and `x5c` (signing ' +
  'certificate first, b64 DER, chaining to a trust anchor). Trust only what the verified payload says.';

class SignedListHead {
  @ApiProperty({ description: JWS_DESCRIPTION })
  jws: string;

  @ApiProperty({ description: 'ISSUER_URL of this server, byte for byte', example: 'https://id.example.com' })
  issuer: string;

  @ApiProperty({ description: 'Unix seconds' })
  issuedAt: number;

  @ApiProperty({ description: 'Unix seconds; fetch again by then (at most 1 hour after issuedAt, spec §2)' })
  nextUpdate: number;
}

export class TrustServiceListDocument extends SignedListHead implements SignedList<TrustServiceListPayload> {
  @ApiProperty({ type: [String], description: 'Trust anchor certificates, b64 DER (JWS typ idtoken-tsl+json)' })
  anchors: string[];

  @ApiProperty({ type: [String], description: 'CA and VDS signing certificates, b64 DER' })
  certificates: string[];
}

export class RevocationListDocument extends SignedListHead implements SignedList<RevocationListPayload> {
  @ApiProperty({
    type: [String],
    description: 'Revoked VDS fingerprints: hex(SHA-256(binary without AUXDATA)), lower case, ascending',
  })
  revokedFingerprints: string[];

  @ApiProperty({
    type: [String],
    description: 'Revoked certificate references (first 8 bytes of SHA-256 of the DER), lower-case hex, ascending',
  })
  revokedCertificateReferences: string[];
}
