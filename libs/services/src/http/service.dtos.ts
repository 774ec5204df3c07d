import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// OpenAPI shapes of the services API (spec §5, §9). Validation is zod's (registry/service-input.ts).

export class CreateServiceRequest {
  @ApiProperty({ example: 'demo-shop', description: 'Slug: a-z, 0-9, "-", "_"; 1 to 64 characters; immutable' })
  serviceId: string;
  @ApiProperty({ example: 'Demo Shop', maxLength: 64 })
  name: string;
  @ApiProperty({
    example: 'https://shop.example',
    description: 'https origin; http://localhost[:port] too when NODE_ENV is development or test',
  })
  url: string;
  @ApiProperty({
    type: [String],
    example: ['identity:basic', 'identity:age_over_18'],
    description: 'The ceiling (spec §7)',
  })
  allowedScopes: string[];
  @ApiProperty({ type: [String], example: ['identity:basic'], description: 'Within allowedScopes' })
  defaultScopes: string[];
  @ApiPropertyOptional({ description: 'https URL or data:image/… (≤ 4096 bytes); a neutral logo when absent' })
  logoUrl?: string;
  @ApiPropertyOptional({ default: true })
  requireTrust?: boolean;
  @ApiPropertyOptional({ enum: ['pairwise', 'public'], default: 'pairwise' })
  subjectType?: string;
  @ApiPropertyOptional({ default: true })
  consentRequired?: boolean;
  @ApiPropertyOptional({ description: 'https URL' })
  privacyPolicyUrl?: string;
  @ApiPropertyOptional({ default: false, description: 'Unauthenticated initiates allowed (spec §6.1); no secret' })
  publicInitiate?: boolean;
  @ApiPropertyOptional({ default: 300, minimum: 30, maximum: 3600 })
  tokenLifetimeSeconds?: number;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object' },
    maxItems: 10,
    description:
      'Public JWKs (EC P-256/P-384, RSA ≥ 2048, Ed25519) for RFC 7523 client assertions on initiate (spec §6.1); kid defaults to the RFC 7638 thumbprint',
  })
  publicKeys?: Record<string, unknown>[];
}

export class UpdateServiceRequest {
  @ApiPropertyOptional({ maxLength: 64 })
  name?: string;
  @ApiPropertyOptional()
  url?: string;
  @ApiPropertyOptional({ type: [String] })
  allowedScopes?: string[];
  @ApiPropertyOptional({ type: [String] })
  defaultScopes?: string[];
  @ApiPropertyOptional({ nullable: true })
  logoUrl?: string | null;
  @ApiPropertyOptional()
  requireTrust?: boolean;
  @ApiPropertyOptional({ enum: ['pairwise', 'public'] })
  subjectType?: string;
  @ApiPropertyOptional()
  consentRequired?: boolean;
  @ApiPropertyOptional({ nullable: true })
  privacyPolicyUrl?: string | null;
  @ApiPropertyOptional({ description: 'true drops the secret; false generates one, returned once' })
  publicInitiate?: boolean;
  @ApiPropertyOptional({ minimum: 30, maximum: 3600 })
  tokenLifetimeSeconds?: number;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, maxItems: 10, description: 'Replaces the keys' })
  publicKeys?: Record<string, unknown>[];
}

export class ServiceResponse {
  @ApiProperty()
  serviceId: string;
  @ApiProperty()
  name: string;
  @ApiProperty()
  url: string;
  @ApiProperty({ nullable: true, type: String })
  logoUrl: string | null;
  @ApiProperty({ type: [String] })
  allowedScopes: string[];
  @ApiProperty({ type: [String] })
  defaultScopes: string[];
  @ApiProperty({ nullable: true, type: String })
  privacyPolicyUrl: string | null;
  @ApiProperty()
  consentRequired: boolean;
  @ApiProperty()
  requireTrust: boolean;
  @ApiProperty()
  publicInitiate: boolean;
  @ApiProperty({ enum: ['pairwise', 'public'] })
  subjectType: 'pairwise' | 'public';
  @ApiProperty()
  tokenLifetimeSeconds: number;
  @ApiProperty({ description: 'Whether a serviceSecret is registered' })
  hasSecret: boolean;
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'For signed client assertions (RFC 7523)' })
  publicKeys: { kid: string; jwk: Record<string, unknown> }[];
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'OIDC client settings' })
  oidc: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'SAML SP settings' })
  saml: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  disabledAt: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ServiceWithSecretResponse extends ServiceResponse {
  @ApiPropertyOptional({ description: 'Shown only in this response (HTTP Basic serviceId:serviceSecret, spec §6.1)' })
  serviceSecret?: string;
}

export class ServiceListResponse {
  @ApiProperty({ type: [ServiceResponse] })
  services: ServiceResponse[];
}

export class ServiceSecretResponse {
  @ApiProperty()
  serviceId: string;
  @ApiProperty({ description: 'Shown only in this response; the previous secret no longer works' })
  serviceSecret: string;
}

export class ServiceVdsResponse {
  @ApiProperty({ example: 'VDS1:…', description: 'Manifest 0x0A0002, signed with the Service-VDS key (spec §2)' })
  serviceVds: string;
  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
}

class DeviceEnvelopeFields {
  @ApiProperty({ format: 'uuid' })
  tokenId: string;
  @ApiProperty({ description: 'Unix seconds, within ±30 s of the server clock' })
  timestamp: number;
  @ApiProperty({ description: 'b64 DER ECDSA over `action|tokenId|timestamp|b64url(SHA-256(C))` (spec §5.1)' })
  signatureBase64: string;
}

export class TrustRequest extends DeviceEnvelopeFields {
  @ApiProperty({ example: 'VDS1:…' })
  serviceVds: string;
}

export class UntrustRequest extends DeviceEnvelopeFields {}

export class TrustResponse {
  @ApiProperty()
  serviceId: string;
  @ApiProperty()
  name: string;
  @ApiProperty({ type: [String] })
  scopes: string[];
}

export class UntrustResponse {
  @ApiProperty()
  serviceId: string;
  @ApiProperty({ example: false })
  trusted: false;
}

export class TrustedServiceResponse {
  @ApiProperty()
  serviceId: string;
  @ApiProperty()
  name: string;
  @ApiProperty()
  url: string;
  @ApiProperty({ nullable: true, type: String })
  logoUrl: string | null;
  @ApiProperty({ type: [String] })
  scopes: string[];
  @ApiProperty({ format: 'date-time' })
  trustedAt: string;
}

export class TrustedServicesResponse {
  @ApiProperty({ type: [TrustedServiceResponse] })
  services: TrustedServiceResponse[];
}
