import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ServiceRegistry } from '../registry/service-registry.js';
import { serviceVdsQrPng, serviceVdsQrSvg } from '../vds/service-vds-qr.js';
import { ServiceVdsResponse } from './service.dtos.js';

/** Short enough that a changed service shows its new VDS within minutes. */
const CACHE_CONTROL = 'public, max-age=300';

/** spec §5: a service's Service VDS, as JSON and as a QR code. Public: it is what the service shows its users. */
@ApiTags('services')
@Controller('services')
export class ServiceVdsController {
  constructor(private readonly registry: ServiceRegistry) {}

  @Get(':serviceId/vds')
  @ApiOperation({ summary: 'The current Service VDS (manifest 0x0A0002, spec §2, §5)' })
  @ApiOkResponse({ type: ServiceVdsResponse })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown or disabled service' })
  async vds(
    @Param('serviceId') serviceId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ServiceVdsResponse> {
    const vds = await this.registry.currentVds(serviceId);
    reply.header('Cache-Control', CACHE_CONTROL);
    return { serviceVds: vds.text, expiresAt: vds.expiresAt.toISOString() };
  }

  @Get(':serviceId/vds.svg')
  @ApiOperation({ summary: 'The Service VDS text as a QR code (SVG, error correction M)' })
  @ApiProduces('image/svg+xml')
  @ApiOkResponse({ description: 'image/svg+xml' })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown or disabled service' })
  async svg(@Param('serviceId') serviceId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const svg = await serviceVdsQrSvg((await this.registry.currentVds(serviceId)).text);
    reply.header('Content-Type', 'image/svg+xml').header('Cache-Control', CACHE_CONTROL);
    return svg;
  }

  @Get(':serviceId/vds.png')
  @ApiOperation({ summary: 'The Service VDS text as a QR code (PNG, error correction M)' })
  @ApiProduces('image/png')
  @ApiOkResponse({ description: 'image/png' })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown or disabled service' })
  async png(@Param('serviceId') serviceId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const png = await serviceVdsQrPng((await this.registry.currentVds(serviceId)).text);
    reply.header('Content-Type', 'image/png').header('Cache-Control', CACHE_CONTROL);
    return png;
  }
}
