import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// OpenAPI shapes of the session API (spec §6.1, §6.2, §6.4). Validation is zod's (auth.schemas.ts).

export class InitiateRequest {
  @ApiPropertyOptional({ format: 'uuid', description: 'Absent → a claims-only session (spec §6.5)' })
  tokenId?: string;
  @ApiPropertyOptional({ example: 'VDS1:…', description: 'Exactly one of serviceVds (recommended) or serviceId' })
  serviceVds?: string;
  @ApiPropertyOptional({ example: 'demo-shop' })
  serviceId?: string;
  @ApiPropertyOptional({ type: [String], description: "Default: the service's defaultScopes" })
  scopes?: string[];
}

export class InitiateResponse {
  @ApiProperty({ example: 'sess_AAECAwQFBgcICQoLDA0ODw' })
  sessionId: string;
  @ApiPropertyOptional({ example: '482917', description: 'The OTP; absent in a claims-only session' })
  autoPassword?: string;
  @ApiProperty()
  wsToken: string;
  @ApiProperty({ description: '16 random bytes, lower-case hex' })
  random: string;
  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
  @ApiPropertyOptional({ example: 'IDTK1:…', description: 'Claims-only sessions only (spec §6.5)' })
  qr?: string;
}

export class VerifyRequestDto {
  @ApiProperty()
  sessionId: string;
  @ApiProperty({ format: 'uuid' })
  tokenId: string;
  @ApiProperty({ example: '482917' })
  otp: string;
  @ApiProperty({ description: 'Unix seconds' })
  timestamp: number;
  @ApiProperty({ type: [String] })
  grantedScopes: string[];
  @ApiProperty({ description: 'DER ECDSA P-256 over sessionId|otp|timestamp|sorted scopes joined with ","' })
  signatureBase64: string;
}

export class VerifyResponse {
  @ApiProperty({ enum: ['approved'] })
  status: 'approved';
  @ApiProperty({ format: 'date-time', description: "The token's expiry" })
  expiresAt: string;
}

export class DenyRequest {
  @ApiProperty()
  sessionId: string;
  @ApiProperty({ format: 'uuid' })
  tokenId: string;
  @ApiProperty()
  timestamp: number;
  @ApiProperty()
  signatureBase64: string;
}

export class DenyResponse {
  @ApiProperty({ enum: ['rejected'] })
  status: 'rejected';
  @ApiProperty({ enum: ['denied'] })
  reason: 'denied';
}

export class SessionStatusResponse {
  @ApiProperty({ enum: ['pending', 'approved', 'rejected', 'expired'] })
  status: string;
  @ApiPropertyOptional({ enum: ['denied', 'too_many_attempts'] })
  reason?: string;
  @ApiPropertyOptional()
  jwt?: string;
  @ApiPropertyOptional()
  hash?: string;
  @ApiPropertyOptional()
  random?: string;
}
