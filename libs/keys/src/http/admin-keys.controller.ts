import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { actorOf, AdminAuth, type AuthenticatedRequest } from '#idtoken/admin';
import { DomainError, parseRequest } from '#idtoken/platform';
import { Rs256TokenKeys } from '../token-keys/rs256-token-keys.js';
import type { TokenSigningAlgorithm } from '../token-keys/token-key-family.js';
import { TokenKeys } from '../token-keys/token-keys.js';
import type { TokenKeyView } from '../token-keys/token-keys.js';
import { RotateKeyRequest, RotatedKeyResponse, TokenKeyDocument, TokenKeyListResponse } from './key.documents.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

// No body, or `{}`, rotates the ES256 keys: what this endpoint did before there was a second family.
const RotateKeyBody = z
  .object({ algorithm: z.enum(['ES256', 'RS256']).default('ES256'), immediate: z.boolean().default(false) })
  .strict();
// A kid is an RFC 7638 thumbprint (ES256) or the RS256 family's; never anything a path could abuse.
const KidParam = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be the kid of a token key');

function document(key: TokenKeyView): TokenKeyDocument {
  return {
    kid: key.kid,
    algorithm: key.algorithm,
    status: key.status,
    createdAt: key.createdAt.toISOString(),
    activatesAt: key.activatesAt.toISOString(),
    retiredAt: iso(key.retiredAt),
    withdrawnAt: iso(key.withdrawnAt),
    unpublishedAt: iso(key.unpublishedAt),
  };
}

/** Token-key administration (spec §9: "keys … documented in the OpenAPI document"), for both key families. */
@ApiTags('admin')
@Controller('admin/keys')
export class AdminKeysController {
  private readonly families: Record<TokenSigningAlgorithm, TokenKeys>;

  constructor(tokenKeys: TokenKeys, rs256TokenKeys: Rs256TokenKeys) {
    this.families = { ES256: tokenKeys, RS256: rs256TokenKeys };
  }

  @Get()
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'List the token-signing keys of both families (ES256, RS256) with their status' })
  @ApiOkResponse({ type: TokenKeyListResponse })
  async list(): Promise<TokenKeyListResponse> {
    const keys = (await Promise.all(Object.values(this.families).map((family) => family.list()))).flat();
    keys.sort(
      (a, b) => b.activatesAt.getTime() - a.activatesAt.getTime() || b.createdAt.getTime() - a.createdAt.getTime(),
    );
    return { keys: keys.map(document) };
  }

  @Post('rotate')
  @HttpCode(201)
  @AdminAuth('admin')
  @ApiOperation({
    summary:
      'Rotate the token-signing key of one family (ES256 by default): the new key is published now and signs after TOKEN_KEY_PUBLISH_AHEAD_SECONDS; the family’s previous keys stay published for TOKEN_KEY_RETIRED_GRACE_SECONDS after that. The other family is untouched',
  })
  @ApiBody({ type: RotateKeyRequest, required: false })
  @ApiCreatedResponse({ type: RotatedKeyResponse })
  async rotate(
    @Body() body: RotateKeyRequest | undefined,
    @Req() request: AuthenticatedRequest,
  ): Promise<RotatedKeyResponse> {
    const { algorithm, immediate } = parseRequest(RotateKeyBody, body);
    const rotated = await this.families[algorithm].rotate(
      { actor: actorOf(request.principal), requestId: request.id, ip: request.ip },
      { immediate },
    );
    return { kid: rotated.kid, algorithm, activatesAt: rotated.activatesAt.toISOString() };
  }

  @Post(':kid/retire')
  @HttpCode(200)
  @AdminAuth('admin')
  @ApiOperation({
    summary:
      'Retire a previous key now (status `withdrawn`): it leaves the JWKS at once instead of at the end of its grace, so tokens it signed stop verifying wherever the JWKS is fetched afresh (cached copies: up to its max-age, 300 s). 409 for the key that signs or is about to: rotate first',
  })
  @ApiOkResponse({ type: TokenKeyDocument })
  async retire(@Param('kid') rawKid: string, @Req() request: AuthenticatedRequest): Promise<TokenKeyDocument> {
    const kid = parseRequest(KidParam, rawKid, 'kid');
    const context = { actor: actorOf(request.principal), requestId: request.id, ip: request.ip };
    for (const family of Object.values(this.families)) {
      if ((await family.list()).some((key) => key.kid === kid)) return document(await family.withdraw(kid, context));
    }
    throw new DomainError('not_found', 'No token key has this kid');
  }
}
