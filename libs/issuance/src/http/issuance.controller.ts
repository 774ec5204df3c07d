import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { AdminAuth, StationAuth, StationsService, actorOf, type AuthenticatedRequest } from '#idtoken/admin';
import { DomainError, decodeBase64Strict, parseRequest } from '#idtoken/platform';
import { certificatePem } from '#idtoken/trust';
import { AaChallenges } from '../aa-challenges.js';
import { IssuanceService } from '../issuance.service.js';
import type { CscaCertificateEntity } from '../master-list/csca.entity.js';
import { MasterListService } from '../master-list/master-list.service.js';

const b64 = (max: number) => z.string().min(1).max(max);

/**
 * Spec §3 body; sizes bound what a chip can hold (DG2 ≤ 512 KiB) so one request cannot exhaust memory, and the
 * photo (≤ 4096 bytes) and face template (≤ 1024 bytes) to what the identity manifest (spec §2) can carry.
 */
const IssuanceBody = z
  .object({
    dg1: b64(1_024),
    dg2: b64(700_000),
    sod: b64(65_536),
    aa: z
      .object({ dg15: b64(4_096), challenge: b64(1_024), signature: b64(2_048) })
      .strict()
      .optional(),
    face: z
      .object({ template: b64(1_368), livenessScore: z.number().min(0).max(1), matchScore: z.number().min(0).max(1) })
      .strict(),
    photoWebp: b64(5_464),
  })
  .strict();

const CscaBody = z.object({ certificatePem: z.string().min(1).max(16_384) }).strict();

class FaceEvidence {
  @ApiProperty({ description: 'b64 face template (opaque, ≤ 1024 bytes), copied into the VDS `face`' })
  template: string;
  @ApiProperty({ minimum: 0, maximum: 1 })
  livenessScore: number;
  @ApiProperty({ minimum: 0, maximum: 1 })
  matchScore: number;
}

class ActiveAuthEvidence {
  @ApiProperty({ description: 'b64 EF.DG15 (tag 0x6F)' })
  dg15: string;
  @ApiProperty({ description: 'b64 challenge the station sent (≥ 8 bytes)' })
  challenge: string;
  @ApiProperty({ description: "b64 chip's signature over the challenge" })
  signature: string;
}

class IssuanceRequest {
  @ApiProperty({ description: 'b64 EF.DG1 (MRZ)' })
  dg1: string;
  @ApiProperty({ description: 'b64 EF.DG2 (face image)' })
  dg2: string;
  @ApiProperty({ description: 'b64 EF.SOD (CMS SignedData)' })
  sod: string;
  @ApiPropertyOptional({ type: ActiveAuthEvidence })
  aa?: ActiveAuthEvidence;
  @ApiProperty({ type: FaceEvidence })
  face: FaceEvidence;
  @ApiProperty({ description: 'b64 WEBP portrait (≤ 4096 bytes), copied into the VDS `photo`' })
  photoWebp: string;
}

class IssuanceResponse {
  @ApiProperty({ format: 'uuid' })
  tokenId: string;
  @ApiProperty({ description: 'The identity VDS, `VDS1:` + Base45' })
  vds: string;
  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
}

class ChallengeResponse {
  @ApiProperty({
    description: 'b64, 16 random bytes: send it to the chip (INTERNAL AUTHENTICATE) and back in `aa.challenge`',
  })
  challenge: string;
  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
}

class CscaRequest {
  @ApiProperty({ description: 'PEM of a self-signed Country Signing CA certificate' })
  certificatePem: string;
}

class CscaView {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty()
  subject: string;
  @ApiProperty({ description: 'hex SHA-256 of the DER' })
  fingerprint: string;
  @ApiProperty({ format: 'date-time' })
  notBefore: string;
  @ApiProperty({ format: 'date-time' })
  notAfter: string;
  @ApiProperty({ format: 'date-time' })
  addedAt: string;
  @ApiProperty()
  certificatePem: string;
}

function cscaView(row: CscaCertificateEntity): CscaView {
  return {
    id: row.id,
    subject: row.subject,
    fingerprint: row.fingerprint,
    notBefore: row.notBefore.toISOString(),
    notAfter: row.notAfter.toISOString(),
    addedAt: row.addedAt.toISOString(),
    certificatePem: certificatePem(row.certificateDer),
  };
}

@ApiTags('issuance')
@Controller('admin')
export class IssuanceController {
  constructor(
    private readonly issuance: IssuanceService,
    private readonly masterList: MasterListService,
    private readonly stations: StationsService,
    private readonly challenges: AaChallenges,
  ) {}

  /** The station's key, and its station still active — or `403 station_not_authorized` (spec §3). */
  private async activeStation(request: AuthenticatedRequest): Promise<string> {
    const { stationId } = request.principal;
    if (!stationId || !(await this.stations.isActive(stationId))) {
      throw new DomainError('station_not_authorized', 'This station is unknown or disabled');
    }
    return stationId;
  }

  @Post('issuance/challenges')
  @HttpCode(201)
  @StationAuth()
  @ApiOperation({
    summary: 'A fresh Active Authentication challenge for the chip (single use, 120 s)',
    description:
      'A credential is issued at assurance `high` only when the chip signed a challenge from this endpoint; ' +
      'a station-chosen challenge is verified but yields `substantial` (docs/decisions.md).',
  })
  @ApiCreatedResponse({ type: ChallengeResponse })
  async challenge(@Req() request: AuthenticatedRequest): Promise<ChallengeResponse> {
    const { challenge, expiresAt } = await this.challenges.issue(await this.activeStation(request));
    return { challenge: challenge.toString('base64'), expiresAt: expiresAt.toISOString() };
  }

  @Post('issuance')
  @HttpCode(201)
  @StationAuth()
  @ApiOperation({ summary: 'Issue an identity VDS from a document chip read and a face check (spec §3); station key' })
  @ApiCreatedResponse({ type: IssuanceResponse })
  async issue(@Body() body: IssuanceRequest, @Req() request: AuthenticatedRequest): Promise<IssuanceResponse> {
    const stationId = await this.activeStation(request);
    const input = parseRequest(IssuanceBody, body);
    const bytes = (value: string, field: string) => decodeBase64Strict(value, field);
    const issued = await this.issuance.issue(
      {
        dg1: bytes(input.dg1, 'dg1'),
        dg2: bytes(input.dg2, 'dg2'),
        sod: bytes(input.sod, 'sod'),
        aa: input.aa && {
          dg15: bytes(input.aa.dg15, 'aa.dg15'),
          challenge: bytes(input.aa.challenge, 'aa.challenge'),
          signature: bytes(input.aa.signature, 'aa.signature'),
        },
        face: { ...input.face, template: bytes(input.face.template, 'face.template') },
        photoWebp: bytes(input.photoWebp, 'photoWebp'),
      },
      { actor: actorOf(request.principal), stationId, requestId: request.id, ip: request.ip },
    );
    return { tokenId: issued.tokenId, vds: issued.vds, expiresAt: issued.expiresAt.toISOString() };
  }

  @Post('trust/csca')
  @HttpCode(201)
  @AdminAuth('admin')
  @ApiOperation({ summary: 'Add a Country Signing CA to the master list used by passive authentication (spec §9)' })
  @ApiCreatedResponse({ type: CscaView })
  async addCsca(@Body() body: CscaRequest, @Req() request: AuthenticatedRequest): Promise<CscaView> {
    const { certificatePem: pem } = parseRequest(CscaBody, body);
    const row = await this.masterList.add(pem, {
      actor: actorOf(request.principal),
      requestId: request.id,
      ip: request.ip,
    });
    return cscaView(row);
  }

  @Get('trust/csca')
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'The CSCA master list' })
  @ApiOkResponse({ type: [CscaView] })
  async listCsca(): Promise<CscaView[]> {
    return (await this.masterList.list()).map(cscaView);
  }
}
