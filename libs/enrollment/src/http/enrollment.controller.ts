import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminAuth, actorOf, type AuthenticatedRequest } from '#idtoken/admin';
import { AppConfig, DomainError, RateLimiter, parseRequest } from '#idtoken/platform';
import { DeviceRequestVerifier } from '../device-signature/device-request.verifier.js';
import type { EnrollmentEntity } from '../enrollment.entity.js';
import { EnrollmentRepository } from '../enrollment.repository.js';
import { EnrollmentService } from '../enrollment.service.js';
import { EnrollBody, EnrollmentListQuery, PushTokenBody, RevokeBody } from './schemas.js';

class EnrollRequest {
  @ApiProperty({ description: 'Identity VDS: `VDS1:`+Base45, or the binary as b64 or hex' })
  vdsData: string;
  @ApiProperty({ description: 'SPKI PEM of the device P-256 key' })
  publicKeyPem: string;
  @ApiProperty({ description: 'Required by the protocol; not stored (spec §4 lists what is kept)' })
  deviceId: string;
  @ApiPropertyOptional()
  fcmToken?: string;
  @ApiProperty({ enum: ['ios', 'android', 'web', 'simulator'] })
  platform: string;
  @ApiProperty({ description: 'Unix seconds, within ±30 s of the server clock' })
  timestamp: number;
  @ApiProperty({ description: 'b64 DER ECDSA over `enroll|tokenId|keyId|timestamp`' })
  signatureBase64: string;
}

class EnrollResponse {
  @ApiProperty({ example: true })
  enrolled: true;
  @ApiProperty({ format: 'uuid' })
  tokenId: string;
  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
  @ApiProperty({ enum: ['substantial', 'high'] })
  trustLevel: string;
}

class RevokeRequest {
  @ApiProperty({ format: 'uuid' })
  tokenId: string;
  @ApiProperty({ enum: ['lost_device', 'compromised', 'expired_document', 'user_request'] })
  reason: string;
}

class PushTokenRequest {
  @ApiProperty({ format: 'uuid' })
  tokenId: string;
  @ApiProperty()
  timestamp: number;
  @ApiProperty({ description: 'b64 DER ECDSA over `push-token|tokenId|timestamp|b64url(SHA-256({"fcmToken":…}))`' })
  signatureBase64: string;
  @ApiProperty()
  fcmToken: string;
}

class EnrollmentView {
  @ApiProperty({ format: 'uuid' })
  tokenId: string;
  @ApiProperty({ enum: ['active', 'revoked'] })
  status: string;
  @ApiProperty()
  platform: string;
  @ApiProperty()
  keyId: string;
  @ApiProperty()
  trustLevel: string;
  @ApiProperty()
  vdsFingerprint: string;
  @ApiProperty({ format: 'date-time' })
  enrolledAt: string;
  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  revokedAt: string | null;
  @ApiPropertyOptional({ nullable: true })
  revocationReason: string | null;
}

class EnrollmentStatusResponse extends EnrollmentView {
  @ApiProperty({ type: [EnrollmentView], description: 'Every enrollment of this tokenId, newest first' })
  history: EnrollmentView[];
}

class EnrollmentPage {
  @ApiProperty({
    type: [EnrollmentView],
    description: 'Newest first; no identity claims (GET by tokenId has none either)',
  })
  enrollments: EnrollmentView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next (older) page' })
  nextCursor: string | null;
}

function view(enrollment: EnrollmentEntity): EnrollmentView {
  return {
    tokenId: enrollment.tokenId,
    status: enrollment.status,
    platform: enrollment.platform,
    keyId: enrollment.keyId,
    trustLevel: enrollment.trustLevel,
    vdsFingerprint: enrollment.vdsFingerprint,
    enrolledAt: enrollment.enrolledAt.toISOString(),
    expiresAt: enrollment.expiresAt.toISOString(),
    revokedAt: enrollment.revokedAt?.toISOString() ?? null,
    revocationReason: enrollment.revocationReason,
  };
}

const HOUR_MS = 3_600_000;

@ApiTags('enrollment')
@Controller()
export class EnrollmentController {
  constructor(
    private readonly enrollment: EnrollmentService,
    private readonly enrollments: EnrollmentRepository,
    private readonly verifier: DeviceRequestVerifier,
    private readonly rateLimiter: RateLimiter,
    private readonly config: AppConfig,
  ) {}

  @Post('enroll')
  @HttpCode(201)
  @ApiOperation({ summary: 'Bind a device key to an identity VDS (spec §4); 5 attempts per hour per IP by default' })
  @ApiCreatedResponse({ type: EnrollResponse })
  async enroll(@Body() body: EnrollRequest, @Req() request: FastifyRequest): Promise<EnrollResponse> {
    await this.rateLimiter.consume(`enroll:${request.ip}`, this.config.enrollRateLimitPerHour, HOUR_MS);
    const input = parseRequest(EnrollBody, body);
    const enrollment = await this.enrollment.enroll(input, { requestId: request.id, ip: request.ip });
    return {
      enrolled: true,
      tokenId: enrollment.tokenId,
      expiresAt: enrollment.expiresAt.toISOString(),
      trustLevel: enrollment.trustLevel,
    };
  }

  @Post('revoke')
  @HttpCode(200)
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Revoke the active enrollment of a tokenId, for every service at once (spec §4)' })
  @ApiOkResponse({ type: EnrollmentView })
  async revoke(@Body() body: RevokeRequest, @Req() request: AuthenticatedRequest): Promise<EnrollmentView> {
    const { tokenId, reason } = parseRequest(RevokeBody, body);
    const revoked = await this.enrollment.revoke(tokenId, reason, {
      actor: actorOf(request.principal),
      requestId: request.id,
      ip: request.ip,
    });
    return view(revoked);
  }

  @Put('devices/push-token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the device push token (device-signed, action `push-token`, spec §4/§5.1)' })
  @ApiOkResponse({ schema: { example: { updated: true } } })
  async pushToken(@Body() body: PushTokenRequest, @Req() request: FastifyRequest): Promise<{ updated: true }> {
    const { fcmToken, ...envelope } = parseRequest(PushTokenBody, body);
    const enrollment = await this.verifier.verify('push-token', envelope, { fcmToken });
    await this.enrollment.updatePushToken(enrollment, fcmToken, { requestId: request.id, ip: request.ip });
    return { updated: true };
  }

  @Get('admin/enrollments')
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'A page of enrollments, newest first, optionally by status (no identity claims)' })
  @ApiQuery({ name: 'status', required: false, enum: ['active', 'revoked'] })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } })
  @ApiOkResponse({ type: EnrollmentPage })
  async list(@Query() query: unknown): Promise<EnrollmentPage> {
    const { status, cursor, limit } = parseRequest(EnrollmentListQuery, query, 'query');
    if (cursor && !(await this.enrollments.exists(cursor))) {
      throw new DomainError('invalid_request', 'cursor must be the nextCursor of a previous page');
    }
    const rows = await this.enrollments.page({ status, afterId: cursor, limit });
    const last = rows.at(-1);
    return {
      enrollments: rows.map(view),
      nextCursor: rows.length === limit && last ? last.id : null,
    };
  }

  @Get('admin/enrollments/:tokenId')
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Status of a tokenId: its current enrollment and history' })
  @ApiOkResponse({ type: EnrollmentStatusResponse })
  async status(@Param('tokenId') tokenId: string): Promise<EnrollmentStatusResponse> {
    const history = await this.enrollments.history(tokenId);
    const [latest] = history;
    if (!latest) throw new DomainError('enrollment_not_found', 'No enrollment for this tokenId');
    return { ...view(latest), history: history.map(view) };
  }
}
