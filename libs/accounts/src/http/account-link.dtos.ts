import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// OpenAPI shapes of the account-links admin API. Validation is zod's (links/account-attributes.ts).

export class PutAccountLinkRequest {
  @ApiPropertyOptional({ nullable: true, type: String, example: 'ada@example.com', maxLength: 254 })
  email?: string | null;
  @ApiPropertyOptional({ default: false, description: 'true needs an email' })
  emailVerified?: boolean;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'ada@corp.example', description: 'Entra UPN' })
  upn?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Entra ImmutableID (sourceAnchor)' })
  immutableId?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 256 })
  username?: string | null;
  @ApiPropertyOptional({ type: [String], maxItems: 200, description: 'Names without ";"; duplicates are dropped' })
  groups?: string[];
}

export class AccountLinkResponse {
  @ApiProperty()
  serviceId: string;
  @ApiProperty({ format: 'uuid' })
  tokenId: string;
  @ApiProperty({ nullable: true, type: String })
  email: string | null;
  @ApiProperty()
  emailVerified: boolean;
  @ApiProperty({ nullable: true, type: String })
  upn: string | null;
  @ApiProperty({ nullable: true, type: String })
  immutableId: string | null;
  @ApiProperty({ nullable: true, type: String })
  username: string | null;
  @ApiProperty({ type: [String] })
  groups: string[];
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class AccountLinkListResponse {
  @ApiProperty({ type: [AccountLinkResponse] })
  links: AccountLinkResponse[];
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Pass as `cursor` for the next page' })
  nextCursor: string | null;
}

export class ImportAccountLinksRequest {
  @ApiProperty({
    description:
      'RFC 4180 CSV with a header line naming tokenId,email,emailVerified,upn,immutableId,username,groups ' +
      '(groups separated by ";"); an empty cell is no value',
    example: 'tokenId,email,emailVerified,upn,immutableId,username,groups\r\n…',
  })
  csv: string;
}

export class ImportAccountLinksResponse {
  @ApiProperty()
  created: number;
  @ApiProperty()
  updated: number;
  @ApiProperty({ description: 'Rows equal to what was stored: nothing written' })
  unchanged: number;
}
