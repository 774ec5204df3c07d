import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { scopeWording } from '#idtoken/claims';
import { chooseLang, escapeHtml, htmlDocument, pageHeaders, type Lang } from '#idtoken/platform';
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

  @Get(':serviceId/register')
  @ApiOperation({
    summary:
      '"Register with IDToken — scan this code": the Service VDS QR with the service’s name and the scopes it may request (HTML, en/fr)',
  })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'text/html' })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: unknown or disabled service' })
  async registerPage(
    @Param('serviceId') serviceId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const service = await this.registry.getActive(serviceId);
    const png = await serviceVdsQrPng((await this.registry.currentVds(serviceId)).text);
    const accept = request.headers['accept-language'];
    const uiLocales = (request.query as { ui_locales?: unknown }).ui_locales;
    const lang = chooseLang(typeof uiLocales === 'string' ? uiLocales : undefined, accept);
    await reply.headers(pageHeaders()).send(
      registerPage(lang, {
        name: service.name,
        url: service.url,
        scopes: service.allowedScopes,
        qr: `data:image/png;base64,${png.toString('base64')}`,
      }),
    );
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

const REGISTER_TEXT = {
  en: {
    title: 'Register with IDToken — scan this code',
    help: 'Open the IDToken app, choose "Add a service", and scan this code. Your phone checks the seal itself.',
    mayAsk: 'may ask you for:',
    alt: (name: string) => `QR code that adds ${name} to the IDToken app`,
  },
  fr: {
    title: 'S’inscrire avec IDToken — scannez ce code',
    help: 'Ouvrez l’application IDToken, choisissez « Ajouter un service » et scannez ce code. Votre téléphone vérifie lui-même le sceau.',
    mayAsk: 'pourra vous demander :',
    alt: (name: string) => `Code QR qui ajoute ${name} à l’application IDToken`,
  },
};

/** The Service VDS as the service shows it to its users: who it is, what it may ask, the code to scan. */
function registerPage(lang: Lang, service: { name: string; url: string; scopes: string[]; qr: string }): string {
  const t = REGISTER_TEXT[lang];
  const name = escapeHtml(service.name);
  return htmlDocument(
    lang,
    t.title,
    `<h1>${t.title}</h1><p><strong>${name}</strong> <span class="help">(${escapeHtml(service.url)})</span></p>
<div class="qr"><img src="${service.qr}" alt="${escapeHtml(t.alt(service.name))}"></div>
<p class="help">${t.help}</p><p>${name} ${t.mayAsk}</p>
<ul class="scopes">${service.scopes.map((scope) => `<li>${escapeHtml(scopeWording(scope, lang))}</li>`).join('')}</ul>`,
  );
}
