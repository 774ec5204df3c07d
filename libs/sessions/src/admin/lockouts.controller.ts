import { Controller, Delete, Get, HttpCode, Param, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { TokenIdSchema } from '#idtoken/enrollment';
import { AdminAuth, actorOf, type AuthenticatedRequest } from '#idtoken/admin';
import { AuditTrail } from '#idtoken/audit';
import { parseRequest } from '#idtoken/platform';
import { SessionStore, TOKEN_FAILURE_LIMIT } from '../session.store.js';

class LockoutView {
  @ApiProperty({ format: 'uuid' }) tokenId: string;
  @ApiProperty({ description: 'Failed signature/OTP checks in the current 24 h window' }) failures: number;
  @ApiProperty({ example: TOKEN_FAILURE_LIMIT }) limit: number;
  @ApiProperty({ description: 'Initiates for this tokenId answer 429 too_many_attempts' }) locked: boolean;
  @ApiProperty({ nullable: true, description: 'Seconds until the window ends by itself' })
  windowEndsInSeconds: number | null;
}

const TokenIdParam = TokenIdSchema;

/**
 * spec §6.2: after 30 failed checks in 24 h a tokenId's initiates answer `429 too_many_attempts` "until the window
 * passes or an operator clears it" — this is the operator's side.
 */
@ApiTags('admin')
@Controller('admin/enrollments/:tokenId/lockout')
export class LockoutsController {
  constructor(
    private readonly sessions: SessionStore,
    private readonly audit: AuditTrail,
  ) {}

  @Get()
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Failed-check count and lockout of a tokenId (spec §6.2)' })
  @ApiOkResponse({ type: LockoutView })
  async show(@Param('tokenId') rawTokenId: string): Promise<LockoutView> {
    return this.view(parseRequest(TokenIdParam, rawTokenId, 'tokenId'));
  }

  @Delete()
  @HttpCode(200)
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Clear the failed-check count of a tokenId, ending its lockout (audited)' })
  @ApiOkResponse({ type: LockoutView })
  async clear(@Param('tokenId') rawTokenId: string, @Req() request: AuthenticatedRequest): Promise<LockoutView> {
    const tokenId = parseRequest(TokenIdParam, rawTokenId, 'tokenId');
    const before = await this.view(tokenId);
    await this.sessions.clearTokenFailures(tokenId);
    await this.audit.record({
      type: 'enrollment.lockout_cleared',
      actor: actorOf(request.principal),
      subject: tokenId,
      requestId: request.id,
      ip: request.ip,
      data: { failures: before.failures, wasLocked: before.locked },
    });
    return this.view(tokenId);
  }

  private async view(tokenId: string): Promise<LockoutView> {
    const { failures, remainingMs } = await this.sessions.tokenFailureWindow(tokenId);
    return {
      tokenId,
      failures,
      limit: TOKEN_FAILURE_LIMIT,
      locked: failures >= TOKEN_FAILURE_LIMIT,
      windowEndsInSeconds: remainingMs === undefined ? null : Math.ceil(remainingMs / 1000),
    };
  }
}
