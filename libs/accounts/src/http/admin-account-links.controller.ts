import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AdminAuth, actorOf, type AuthenticatedRequest } from '#idtoken/admin';
import { DomainError, parseRequest } from '#idtoken/platform';
import { accountAttributesSchema } from '../links/account-attributes.js';
import { accountLinkView } from '../links/account-link-view.js';
import { AccountLinks, MAX_PAGE_SIZE, type ChangeContext } from '../links/account-links.js';
import {
  AccountLinkListResponse,
  AccountLinkResponse,
  ImportAccountLinksRequest,
  ImportAccountLinksResponse,
  PutAccountLinkRequest,
} from './account-link.dtos.js';

const ListQuery = z
  .object({
    cursor: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
  })
  .strict();

const ImportBody = z.object({ csv: z.string() }).strict();

function contextOf(request: AuthenticatedRequest): ChangeContext {
  return { actor: actorOf(request.principal), requestId: request.id, ip: request.ip };
}

/** Account links: per-service enterprise attributes of a tokenId for the OIDC and SAML facades. Admin or operator. */
@ApiTags('admin')
@Controller('admin/services/:serviceId/account-links')
export class AdminAccountLinksController {
  constructor(private readonly links: AccountLinks) {}

  @Get()
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: "A page of the service's account links, by tokenId" })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE } })
  @ApiOkResponse({ type: AccountLinkListResponse })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown service' })
  async list(@Param('serviceId') serviceId: string, @Query() query: unknown): Promise<AccountLinkListResponse> {
    const { cursor, limit } = parseRequest(ListQuery, query, 'query');
    const page = await this.links.list(serviceId, { cursor, limit });
    return { links: page.links.map(accountLinkView), nextCursor: page.nextCursor };
  }

  @Get('export')
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Every account link of the service as CSV (the import format)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'text/csv attachment', schema: { type: 'string' } })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown service' })
  async export(
    @Param('serviceId') serviceId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const csv = await this.links.exportCsv(serviceId);
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="account-links-${serviceId}.csv"`)
      .header('cache-control', 'no-store');
    return csv;
  }

  @Post('import')
  @HttpCode(200)
  @AdminAuth('admin', 'operator')
  @ApiOperation({
    summary: 'Create or replace account links from CSV, all or nothing (one transaction)',
  })
  @ApiOkResponse({ type: ImportAccountLinksResponse })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown or disabled service' })
  @ApiUnprocessableEntityResponse({
    description: 'problem+json `invalid_request` with `errors: [{ line, field, detail }]`; nothing was stored',
  })
  async import(
    @Param('serviceId') serviceId: string,
    @Body() body: ImportAccountLinksRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<ImportAccountLinksResponse> {
    const { csv } = parseRequest(ImportBody, body);
    return this.links.importCsv(serviceId, csv, contextOf(request));
  }

  @Get(':tokenId')
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'The account link of a tokenId' })
  @ApiOkResponse({ type: AccountLinkResponse })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown service, or no link' })
  async get(@Param('serviceId') serviceId: string, @Param('tokenId') tokenId: string): Promise<AccountLinkResponse> {
    const link = await this.links.get(serviceId, tokenId);
    if (!link) throw new DomainError('not_found', `No account link for this tokenId in service "${serviceId}"`);
    return accountLinkView(link);
  }

  @Put(':tokenId')
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Create the account link, or replace all its attributes (an absent field is cleared)' })
  @ApiOkResponse({ type: AccountLinkResponse, description: 'Replaced' })
  @ApiCreatedResponse({ type: AccountLinkResponse, description: 'Created' })
  @ApiBadRequestResponse({ description: 'problem+json `invalid_request`' })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown or disabled service' })
  @ApiConflictResponse({ description: "problem+json `conflict`: the email or username is another tokenId's alias" })
  async put(
    @Param('serviceId') serviceId: string,
    @Param('tokenId') tokenId: string,
    @Body() body: PutAccountLinkRequest,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccountLinkResponse> {
    const attributes = parseRequest(accountAttributesSchema, body);
    const { link, created } = await this.links.put(serviceId, tokenId, attributes, contextOf(request));
    void reply.status(created ? 201 : 200);
    return accountLinkView(link);
  }

  @Delete(':tokenId')
  @HttpCode(204)
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Remove the account link' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown service, or no link' })
  async delete(
    @Param('serviceId') serviceId: string,
    @Param('tokenId') tokenId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<void> {
    await this.links.delete(serviceId, tokenId, contextOf(request));
  }
}
