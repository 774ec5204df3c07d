import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AdminAuth, actorOf, type AuthenticatedRequest } from '#idtoken/admin';
import { AppConfig, parseRequest } from '#idtoken/platform';
import type { RequestContext } from '../registry/request-context.js';
import { createServiceSchema, updateServiceSchema } from '../registry/service-input.js';
import { ServiceRegistry, type ServiceWithSecret } from '../registry/service-registry.js';
import { serviceView } from '../registry/service-view.js';
import {
  CreateServiceRequest,
  ServiceListResponse,
  ServiceResponse,
  ServiceSecretResponse,
  ServiceWithSecretResponse,
  UpdateServiceRequest,
} from './service.dtos.js';

function contextOf(request: AuthenticatedRequest): RequestContext {
  return { actor: actorOf(request.principal), requestId: request.id, ip: request.ip };
}

function withSecret({ service, serviceSecret }: ServiceWithSecret): ServiceWithSecretResponse {
  return serviceSecret === undefined ? serviceView(service) : { ...serviceView(service), serviceSecret };
}

/** spec §9 `/admin/services`: the service registry. Writes need role admin; reads admin or operator. */
@ApiTags('admin')
@Controller('admin/services')
export class AdminServicesController {
  constructor(
    private readonly registry: ServiceRegistry,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @AdminAuth('admin')
  @ApiOperation({ summary: 'Register a service (spec §5, §9); its serviceSecret is shown once unless publicInitiate' })
  @ApiCreatedResponse({ type: ServiceWithSecretResponse })
  @ApiConflictResponse({ description: 'problem+json `conflict`: the serviceId is taken' })
  @ApiUnprocessableEntityResponse({ description: 'problem+json `invalid_scope`: unknown or not-allowed scopes' })
  async create(
    @Body() body: CreateServiceRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<ServiceWithSecretResponse> {
    const input = parseRequest(createServiceSchema(this.config.nodeEnv), body);
    return withSecret(await this.registry.create(input, contextOf(request)));
  }

  @Get()
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Every service, disabled ones included' })
  @ApiOkResponse({ type: ServiceListResponse })
  async list(): Promise<ServiceListResponse> {
    return { services: (await this.registry.list()).map(serviceView) };
  }

  @Get(':serviceId')
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'One service' })
  @ApiOkResponse({ type: ServiceResponse })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`' })
  async get(@Param('serviceId') serviceId: string): Promise<ServiceResponse> {
    return serviceView(await this.registry.get(serviceId));
  }

  @Patch(':serviceId')
  @AdminAuth('admin')
  @ApiOperation({
    summary: 'Change a service; a new Service VDS is issued when its name, url, logo or scopes change',
  })
  @ApiOkResponse({ type: ServiceWithSecretResponse })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown or disabled' })
  async update(
    @Param('serviceId') serviceId: string,
    @Body() body: UpdateServiceRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<ServiceWithSecretResponse> {
    const input = parseRequest(updateServiceSchema(this.config.nodeEnv), body);
    return withSecret(await this.registry.update(serviceId, input, contextOf(request)));
  }

  @Delete(':serviceId')
  @HttpCode(200)
  @AdminAuth('admin')
  @ApiOperation({ summary: 'Disable a service (no hard delete); its Service VDSs go on the VRL' })
  @ApiOkResponse({ type: ServiceResponse })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`' })
  async disable(@Param('serviceId') serviceId: string, @Req() request: AuthenticatedRequest): Promise<ServiceResponse> {
    return serviceView(await this.registry.disable(serviceId, contextOf(request)));
  }

  @Post(':serviceId/secret')
  @HttpCode(201)
  @AdminAuth('admin')
  @ApiOperation({ summary: 'Rotate the serviceSecret: the new one is shown once, the old one stops working' })
  @ApiCreatedResponse({ type: ServiceSecretResponse })
  @ApiConflictResponse({ description: 'problem+json `conflict`: a publicInitiate service has no secret' })
  async rotateSecret(
    @Param('serviceId') serviceId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<ServiceSecretResponse> {
    const { service, serviceSecret } = await this.registry.rotateSecret(serviceId, contextOf(request));
    return { serviceId: service.serviceId, serviceSecret };
  }
}
