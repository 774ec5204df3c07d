import { Body, Controller, Delete, Get, HttpCode, Param, Put, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { AdminAuth, actorOf, type AuthenticatedRequest } from '#idtoken/admin';
import { AppConfig, DomainError, parseRequest } from '#idtoken/platform';
import { ServiceRegistry } from '#idtoken/services';
import { samlSpSettingsSchema, type SamlSpSettings } from '../sp/saml-sp-settings.js';
import { fetchSpMetadata } from '../sp/fetch-sp-metadata.js';
import { settingsFromSpMetadata } from '../sp/sp-metadata.js';

const PutBody = z
  .object({
    metadataXml: z.string().optional(),
    metadataUrl: z.string().optional(),
  })
  .passthrough();

/**
 * A service's SAML SP (docs/saml.md): from its metadata (uploaded, or fetched once from a URL by this call) and/or
 * explicit settings, which override what the metadata says. Changes are audited with before/after.
 */
@ApiTags('admin')
@Controller('admin/services/:serviceId/saml')
export class AdminSamlController {
  constructor(
    private readonly services: ServiceRegistry,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: "The service's SAML SP settings" })
  @ApiOkResponse({ description: 'The settings (docs/saml.md)' })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown service, or no SAML settings' })
  async get(@Param('serviceId') serviceId: string): Promise<SamlSpSettings> {
    const service = await this.services.get(serviceId);
    if (!service.saml) throw new DomainError('not_found', `Service "${serviceId}" has no SAML settings`);
    return samlSpSettingsSchema(this.config.nodeEnv).parse(service.saml);
  }

  @Put()
  @AdminAuth('admin')
  @ApiOperation({
    summary: 'Set the SAML SP: metadataXml or metadataUrl (fetched once, now), plus any settings to override',
  })
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        metadataXml: { type: 'string', description: 'The SP metadata (an md:EntityDescriptor)' },
        metadataUrl: { type: 'string', description: 'https URL of the SP metadata, fetched once by this call' },
        profile: { type: 'string', enum: ['generic', 'entra-domain', 'entra-b2b', 'okta'] },
        entityId: { type: 'string' },
        assertionConsumerServices: { type: 'array', items: { type: 'object' } },
        encryptAssertion: { type: 'boolean' },
        idpInitiated: { type: 'boolean' },
      },
    },
    examples: {
      okta: { value: { metadataUrl: 'https://example.okta.com/sso/saml2/0oa1/metadata', profile: 'okta' } },
    },
  })
  @ApiOkResponse({ description: 'The stored settings' })
  @ApiBadRequestResponse({ description: 'problem+json `invalid_request`: metadata or settings invalid' })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown or disabled service' })
  @ApiConflictResponse({ description: 'problem+json `conflict`: another service has this SP entityID' })
  async put(
    @Param('serviceId') serviceId: string,
    @Body() body: unknown,
    @Req() request: AuthenticatedRequest,
  ): Promise<SamlSpSettings> {
    const { metadataXml, metadataUrl, ...overrides } = parseRequest(PutBody, body);
    if (metadataXml !== undefined && metadataUrl !== undefined) {
      throw new DomainError('invalid_request', 'Give metadataXml or metadataUrl, not both', { field: 'metadataUrl' });
    }
    const xml = metadataUrl === undefined ? metadataXml : await fetchSpMetadata(metadataUrl, this.config.nodeEnv);
    const fromMetadata = xml === undefined ? {} : settingsFromSpMetadata(xml);
    const settings = parseRequest(samlSpSettingsSchema(this.config.nodeEnv), { ...fromMetadata, ...overrides });
    await this.services.setSaml(serviceId, settings as unknown as Record<string, unknown>, {
      actor: actorOf(request.principal),
      requestId: request.id,
      ip: request.ip,
    });
    return settings;
  }

  @Delete()
  @HttpCode(204)
  @AdminAuth('admin')
  @ApiOperation({ summary: 'Remove the SAML SP: its requests are refused from now on' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown or disabled service' })
  async delete(@Param('serviceId') serviceId: string, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.services.setSaml(serviceId, null, {
      actor: actorOf(request.principal),
      requestId: request.id,
      ip: request.ip,
    });
  }
}
