import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { KeyStatus } from '../token-keys/key-schedule.js';

export class JwkDocument {
  @ApiProperty({ enum: ['EC', 'RSA'] })
  kty: 'EC' | 'RSA';
  @ApiPropertyOptional({ enum: ['P-256'], description: 'EC keys' })
  crv?: 'P-256';
  @ApiPropertyOptional({ description: 'EC keys: b64url x coordinate' })
  x?: string;
  @ApiPropertyOptional({ description: 'EC keys: b64url y coordinate' })
  y?: string;
  @ApiPropertyOptional({ description: 'RSA keys: b64url modulus' })
  n?: string;
  @ApiPropertyOptional({ description: 'RSA keys: b64url public exponent' })
  e?: string;
  @ApiProperty({
    description:
      'Token keys: RFC 7638 thumbprint (b64url SHA-256). Service-VDS key: `service-vds-<certificate reference hex>`',
  })
  kid: string;
  @ApiProperty({ enum: ['sig'] })
  use: 'sig';
  @ApiProperty({ enum: ['ES256', 'RS256'] })
  alg: 'ES256' | 'RS256';
  @ApiPropertyOptional({
    type: [String],
    description:
      'RS256 token keys: their self-signed certificate; Service-VDS key: its certificate chain. b64 DER, the certificate holding the key first (RFC 7517 §4.7)',
  })
  x5c?: string[];
  @ApiPropertyOptional({
    name: 'x5t#S256',
    description: 'RS256 token keys: b64url SHA-256 of the certificate DER (RFC 7517 §4.9)',
  })
  'x5t#S256'?: string;
}

export class JwkSetDocument {
  @ApiProperty({ type: [JwkDocument] })
  keys: JwkDocument[];
}

export class RotateKeyRequest {
  @ApiPropertyOptional({ enum: ['ES256', 'RS256'], default: 'ES256', description: 'The key family to rotate' })
  algorithm?: 'ES256' | 'RS256';
  @ApiPropertyOptional({
    default: false,
    description:
      'Sign with the new key at once, without the publish-ahead delay (a compromised current key; withdraw it next)',
  })
  immediate?: boolean;
}

export class RotatedKeyResponse {
  @ApiProperty({ description: 'kid of the new key: published now, signing from activatesAt' })
  kid: string;
  @ApiProperty({ enum: ['ES256', 'RS256'] })
  algorithm: 'ES256' | 'RS256';
  @ApiProperty({ format: 'date-time' })
  activatesAt: string;
}

export class TokenKeyDocument {
  @ApiProperty()
  kid: string;
  @ApiProperty({ enum: ['ES256', 'RS256'] })
  algorithm: string;
  @ApiProperty({
    enum: ['next', 'current', 'previous', 'retired', 'withdrawn'],
    description:
      'next: published, not yet signing; current: signs; previous: published, no longer signs; retired: unpublished; withdrawn: unpublished by an admin before its grace ended',
  })
  status: KeyStatus;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time' })
  activatesAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When it stops (stopped) signing' })
  retiredAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When an admin withdrew it' })
  withdrawnAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When it leaves (left) the JWKS' })
  unpublishedAt: string | null;
}

export class TokenKeyListResponse {
  @ApiProperty({ type: [TokenKeyDocument], description: 'Newest first' })
  keys: TokenKeyDocument[];
}
