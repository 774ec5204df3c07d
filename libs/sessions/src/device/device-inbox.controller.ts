import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DeviceRequestVerifier, TokenIdSchema } from '#idtoken/enrollment';
import { parseRequest } from '#idtoken/platform';
import type { AuthRequestMessage } from '#idtoken/push';
import { PendingRequests } from './pending-requests.js';

/** spec §5.1: a GET carries the envelope in the query string, so the timestamp arrives as text. */
const InboxQuery = z
  .object({
    tokenId: TokenIdSchema,
    timestamp: z
      .string()
      .regex(/^\d{1,12}$/, 'must be Unix seconds')
      .transform(Number),
    signatureBase64: z.string().min(1).max(200),
  })
  .strict();

class AuthRequestDto {
  @ApiProperty({ enum: ['auth_request'] }) type: 'auth_request';
  @ApiProperty() sessionId: string;
  @ApiProperty({ description: 'The 6-digit code the browser shows; compare before approving', example: '492817' })
  otp: string;
  @ApiProperty() serviceId: string;
  @ApiProperty() serviceName: string;
  @ApiProperty() serviceUrl: string;
  @ApiProperty({ enum: ['true', 'false'] }) serviceVerified: 'true' | 'false';
  @ApiProperty({ description: 'JSON array of the atomic scopes requested', example: '["identity:given_name"]' })
  scopes: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

class InboxResponse {
  @ApiProperty({ type: [AuthRequestDto] }) requests: AuthRequestMessage[];
}

/** spec §6.3: the device inbox over HTTP, for devices without FCM (the `/device` socket streams the same). */
@ApiTags('devices')
@Controller('devices')
export class DeviceInboxController {
  constructor(
    private readonly verifier: DeviceRequestVerifier,
    private readonly pending: PendingRequests,
  ) {}

  @Get('inbox')
  @ApiOperation({
    summary:
      'Pending login requests for this device (device-signed, spec §5.1 action `inbox`, fields `{}`), oldest first',
  })
  @ApiQuery({ name: 'tokenId', format: 'uuid' })
  @ApiQuery({ name: 'timestamp', type: Number })
  @ApiQuery({ name: 'signatureBase64' })
  @ApiOkResponse({ type: InboxResponse })
  async inbox(@Query() query: Record<string, unknown>): Promise<InboxResponse> {
    const envelope = parseRequest(InboxQuery, query, 'query');
    const enrollment = await this.verifier.verify('inbox', envelope, {});
    return { requests: await this.pending.of(enrollment.tokenId) };
  }
}
