import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { KeyStatus } from '../token-keys/key-schedule.js';

export class JwkDocument {
  @ApiProperty({ enum: ['EC'] })
  kty: 'EC';
  @ApiProperty({ enum: ['P-256'] })
  crv: 'P-256';
  @ApiProperty({ description: 'b64url x coordinate' })
  x: string;
  @ApiProperty({ description: 'b64url y coordinate' })
  y: string;
  @ApiProperty({
    description:
      'Token keys: RFC 7638 thumbprint (b64url SHA-256). Service-VDS key: `service-vds-<certificate reference hex>`',
  })
  kid: string;
  @ApiProperty({ enum: ['sig'] })
  use: 'sig';
  @ApiProperty({ enum: ['ES256'] })
  alg: 'ES256';
  @ApiPropertyOptional({
    type: [String],
    description: 'Service-VDS key only: its certificate chain, b64 DER, the signing certificate first (RFC 7517 §4.7)',
  })
  x5c?: string[];
}

export class JwkSetDocument {
  @ApiProperty({ type: [JwkDocument] })
  keys: JwkDocument[];
}

export class RotatedKeyResponse {
  @ApiProperty({ description: 'kid of the new key: published now, signing from activatesAt' })
  kid: string;
  @ApiProperty({ format: 'date-time' })
  activatesAt: string;
}

export class TokenKeyDocument {
  @ApiProperty()
  kid: string;
  @ApiProperty({ enum: ['ES256'] })
  algorithm: string;
  @ApiProperty({
    enum: ['next', 'current', 'previous', 'retired'],
    description:
      'next: published, not yet signing; current: signs; previous: published, no longer signs; retired: unpublished',
  })
  status: KeyStatus;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time' })
  activatesAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When it stops (stopped) signing' })
  retiredAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When it leaves (left) the JWKS' })
  unpublishedAt: string | null;
}

export class TokenKeyListResponse {
  @ApiProperty({ type: [TokenKeyDocument], description: 'Newest first' })
  keys: TokenKeyDocument[];
}
