import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TSL_LIFETIME_SECONDS, TrustListPublisher, VRL_LIFETIME_SECONDS } from '../lists/trust-list.publisher.js';
import { RevocationListDocument, TrustServiceListDocument } from './trust-list.documents.js';

/** spec §2 "Trust store": the published, signed lists. Public: they hold certificates and hashes only. */
@ApiTags('trust')
@Controller('trust')
export class TrustController {
  constructor(private readonly lists: TrustListPublisher) {}

  @Get('tsl')
  @Header('Cache-Control', `public, max-age=${TSL_LIFETIME_SECONDS}`)
  @ApiOperation({ summary: 'Trust Service List: trust anchors, CA and VDS signing certificates, JWS-signed (spec §2)' })
  @ApiOkResponse({ type: TrustServiceListDocument })
  tsl(): Promise<TrustServiceListDocument> {
    return this.lists.trustServiceList();
  }

  @Get('vrl')
  @Header('Cache-Control', `public, max-age=${VRL_LIFETIME_SECONDS}`)
  @ApiOperation({
    summary: 'VDS Revocation List: revoked VDS fingerprints and certificate references, JWS-signed (spec §2)',
  })
  @ApiOkResponse({ type: RevocationListDocument })
  vrl(): Promise<RevocationListDocument> {
    return this.lists.revocationList();
  }
}
