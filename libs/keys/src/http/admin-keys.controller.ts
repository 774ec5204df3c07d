import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { actorOf, AdminAuth, type AuthenticatedRequest } from '#idtoken/admin';
import { TokenKeys } from '../token-keys/token-keys.js';
import { RotatedKeyResponse, TokenKeyListResponse } from './key.documents.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** Token-key administration (spec §9: "keys … documented in the OpenAPI document"). */
@ApiTags('admin')
@Controller('admin/keys')
export class AdminKeysController {
  constructor(private readonly tokenKeys: TokenKeys) {}

  @Get()
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'List the token-signing keys with their status' })
  @ApiOkResponse({ type: TokenKeyListResponse })
  async list(): Promise<TokenKeyListResponse> {
    const keys = await this.tokenKeys.list();
    return {
      keys: keys.map((key) => ({
        kid: key.kid,
        algorithm: key.algorithm,
        status: key.status,
        createdAt: key.createdAt.toISOString(),
        activatesAt: key.activatesAt.toISOString(),
        retiredAt: iso(key.retiredAt),
        unpublishedAt: iso(key.unpublishedAt),
      })),
    };
  }

  @Post('rotate')
  @HttpCode(201)
  @AdminAuth('admin')
  @ApiOperation({
    summary:
      'Rotate the token-signing key: the new key is published now and signs after TOKEN_KEY_PUBLISH_AHEAD_SECONDS; the previous one stays published for TOKEN_KEY_RETIRED_GRACE_SECONDS after that',
  })
  @ApiCreatedResponse({ type: RotatedKeyResponse })
  async rotate(@Req() request: AuthenticatedRequest): Promise<RotatedKeyResponse> {
    const rotated = await this.tokenKeys.rotate({
      actor: actorOf(request.principal),
      requestId: request.id,
      ip: request.ip,
    });
    return { kid: rotated.kid, activatesAt: rotated.activatesAt.toISOString() };
  }
}
