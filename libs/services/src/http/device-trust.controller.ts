import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DeviceRequestVerifier } from '#idtoken/enrollment';
import { parseRequest } from '#idtoken/platform';
import { TrustBindings } from '../trust/trust-bindings.js';
import { ListServicesQuery, ServiceIdParam, TrustBody, UntrustBody } from './device-trust.schemas.js';
import {
  TrustRequest,
  TrustResponse,
  TrustedServicesResponse,
  UntrustRequest,
  UntrustResponse,
} from './service.dtos.js';

const SIGNED = 'Device-signed (spec §5.1): 400 stale_timestamp, 401 invalid_signature, 409 replayed_request';

/** spec §5 trust bindings, from the holder's device. */
@ApiTags('devices')
@Controller('devices')
@ApiBadRequestResponse({ description: 'problem+json `invalid_request` or `stale_timestamp`' })
@ApiUnauthorizedResponse({ description: 'problem+json `invalid_signature`' })
@ApiConflictResponse({ description: 'problem+json `replayed_request`' })
export class DeviceTrustController {
  constructor(
    private readonly verifier: DeviceRequestVerifier,
    private readonly bindings: TrustBindings,
  ) {}

  @Post('trust')
  @HttpCode(201)
  @ApiOperation({
    summary: `Trust a service by its Service VDS (action \`trust\`). ${SIGNED}; trusting again is 201 too`,
  })
  @ApiCreatedResponse({ type: TrustResponse })
  @ApiUnprocessableEntityResponse({ description: 'problem+json `vds_*`: the Service VDS fails spec §2' })
  async trust(@Body() body: TrustRequest, @Req() request: FastifyRequest): Promise<TrustResponse> {
    const { serviceVds, ...envelope } = parseRequest(TrustBody, body);
    const enrollment = await this.verifier.verify('trust', envelope, { serviceVds });
    const { service, scopes } = await this.bindings.trustService(serviceVds, {
      tokenId: enrollment.tokenId,
      keyId: enrollment.keyId,
      requestId: request.id,
      ip: request.ip,
    });
    return { serviceId: service.serviceId, name: service.name, scopes };
  }

  @Delete('trust/:serviceId')
  @HttpCode(200)
  @ApiOperation({ summary: `Stop trusting a service (action \`untrust\`, fields \`{serviceId}\`). ${SIGNED}` })
  @ApiOkResponse({ type: UntrustResponse })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: this holder does not trust the service' })
  async untrust(
    @Param('serviceId') rawServiceId: string,
    @Body() body: UntrustRequest,
    @Req() request: FastifyRequest,
  ): Promise<UntrustResponse> {
    const serviceId = parseRequest(ServiceIdParam, rawServiceId, 'serviceId');
    const envelope = parseRequest(UntrustBody, body);
    // spec §5.1: path parameters are signed by name.
    const enrollment = await this.verifier.verify('untrust', envelope, { serviceId });
    await this.bindings.untrustService(serviceId, {
      tokenId: enrollment.tokenId,
      keyId: enrollment.keyId,
      requestId: request.id,
      ip: request.ip,
    });
    return { serviceId, trusted: false };
  }

  @Get('services')
  @ApiOperation({ summary: `The holder's trusted services (action \`list-services\`, fields \`{}\`). ${SIGNED}` })
  @ApiQuery({ name: 'tokenId', format: 'uuid' })
  @ApiQuery({ name: 'timestamp', type: Number })
  @ApiQuery({ name: 'signatureBase64' })
  @ApiOkResponse({ type: TrustedServicesResponse })
  async list(@Query() query: Record<string, unknown>): Promise<TrustedServicesResponse> {
    const envelope = parseRequest(ListServicesQuery, query, 'query');
    const enrollment = await this.verifier.verify('list-services', envelope, {});
    const services = await this.bindings.trustedServices(enrollment.tokenId);
    return { services: services.map((service) => ({ ...service, trustedAt: service.trustedAt.toISOString() })) };
  }
}
