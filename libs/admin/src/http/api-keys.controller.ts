import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseRequest } from '#idtoken/platform';
import { ApiKeyAdmin, type ApiKeyView } from '../api-keys/api-key.admin.js';
import { actorOf } from '../api-keys/roles.js';
import { AdminAuth, type AuthenticatedRequest } from './admin-auth.guard.js';

const CreateKeyBody = z
  .object({ name: z.string().trim().min(1).max(100), role: z.enum(['admin', 'operator']) })
  .strict();

class CreateApiKeyRequest {
  @ApiProperty({ example: 'on-call operator', maxLength: 100 }) name: string;
  @ApiProperty({ enum: ['admin', 'operator'], description: 'Station keys come with their station' }) role: string;
}

class ApiKeyResponse implements ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['admin', 'operator', 'station'] }) role: ApiKeyView['role'];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) stationId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt: string | null;
}

class CreatedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({ description: 'The bearer key, shown only in this response' }) apiKey: string;
}

class ApiKeyListResponse {
  @ApiProperty({ type: [ApiKeyResponse] }) keys: ApiKeyView[];
}

/** spec §9: API keys with roles, shown once, revocable, with their last use. Admins only. */
@ApiTags('admin')
@Controller('admin/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyAdmin) {}

  @Post()
  @HttpCode(201)
  @AdminAuth('admin')
  @ApiOperation({ summary: 'Create an admin or operator API key (shown once)' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  create(@Body() body: CreateApiKeyRequest, @Req() request: AuthenticatedRequest): Promise<CreatedApiKeyResponse> {
    return this.keys.create(parseRequest(CreateKeyBody, body), contextOf(request));
  }

  @Get()
  @AdminAuth('admin')
  @ApiOperation({ summary: 'Every API key, revoked ones included, with its last use (never the key)' })
  @ApiOkResponse({ type: ApiKeyListResponse })
  async list(): Promise<ApiKeyListResponse> {
    return { keys: await this.keys.list() };
  }

  @Delete(':id')
  @HttpCode(200)
  @AdminAuth('admin')
  @ApiOperation({ summary: 'Revoke an API key at once (audited); revoking twice changes nothing' })
  @ApiOkResponse({ type: ApiKeyResponse })
  revoke(@Param('id') rawId: string, @Req() request: AuthenticatedRequest): Promise<ApiKeyView> {
    return this.keys.revoke(parseRequest(z.uuid(), rawId, 'id'), contextOf(request));
  }
}

function contextOf(request: AuthenticatedRequest) {
  return { actor: actorOf(request.principal), requestId: request.id, ip: request.ip };
}
