import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Jwks } from '../jwks/jwks.js';
import { JWKS_MAX_AGE_SECONDS } from '../token-keys/propagation.js';
import { JwkSetDocument } from './key.documents.js';

/** spec §5: the public keys verifiers need. Public: no private members, ever. */
@ApiTags('keys')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly jwks: Jwks) {}

  @Get('jwks.json')
  @Header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
  @ApiOperation({
    summary:
      'JWK Set (RFC 7517): the ES256 token-signing keys, the RS256 ones with x5c, and the Service-VDS key with x5c (spec §5)',
  })
  @ApiOkResponse({ type: JwkSetDocument })
  jwksDocument(): Promise<JwkSetDocument> {
    return this.jwks.document();
  }
}
