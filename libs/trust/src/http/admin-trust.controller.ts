import { createHash } from 'node:crypto';
import { Body, Controller, Get, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import type { X509Certificate } from '@peculiar/x509';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AdminAuth, actorOf, type AuthenticatedRequest } from '#idtoken/admin';
import { parseRequest } from '#idtoken/platform';
import { certificateReferenceHex } from '../certificate-reference.js';
import type { RevocationEntry } from '../revocation/revocation.repository.js';
import { TrustStore } from '../trust.store.js';

class CertificateView {
  @ApiProperty({ example: 'CN=IDToken Development CA, O=IDToken' })
  subject: string;
  @ApiProperty()
  issuer: string;
  @ApiProperty({ description: 'Hex, as in the certificate' })
  serialNumber: string;
  @ApiProperty({ format: 'date-time' })
  notBefore: string;
  @ApiProperty({ format: 'date-time' })
  notAfter: string;
  @ApiProperty({ description: 'spec §2: first 8 bytes of SHA-256 of the DER, hex — what a VDS header names' })
  certificateReference: string;
  @ApiProperty({ description: 'SHA-256 of the DER, hex' })
  sha256: string;
  @ApiProperty({ description: 'Its certificate reference is on the VRL' })
  revoked: boolean;
}

class TrustMaterialView {
  @ApiProperty({
    enum: ['files', 'development'],
    description: 'TRUST_ANCHORS_FILE and friends, or the development PKI',
  })
  source: 'files' | 'development';
  @ApiProperty({ type: [CertificateView] })
  anchors: CertificateView[];
  @ApiProperty({ type: [CertificateView], description: 'The trust service list: CA and VDS signing certificates' })
  certificates: CertificateView[];
  @ApiProperty({ type: CertificateView, description: 'Signs /trust/tsl and /trust/vrl' })
  trustListSigner: CertificateView;
}

class RevocationEntryView {
  @ApiProperty({ description: 'VDS fingerprint (64 hex) or certificate reference (16 hex)' })
  value: string;
  @ApiProperty()
  reason: string;
  @ApiProperty({ example: 'admin-key:7c1…' })
  revokedBy: string;
  @ApiProperty({ format: 'date-time' })
  revokedAt: string;
}

class RevocationEntriesView {
  @ApiProperty({ type: [RevocationEntryView] })
  fingerprints: RevocationEntryView[];
  @ApiProperty({ type: [RevocationEntryView] })
  certificateReferences: RevocationEntryView[];
}

class RevokeEntryRequest {
  @ApiPropertyOptional({ description: 'A VDS fingerprint (spec §2), 64 hex; exactly one of the two' })
  fingerprint?: string;
  @ApiPropertyOptional({
    description: 'A CA or signing certificate reference (spec §2), 16 hex; exactly one of the two',
  })
  certificateReference?: string;
  @ApiProperty({ example: 'key compromise reported by the issuing authority', maxLength: 200 })
  reason: string;
}

class RevokedEntryView extends RevocationEntryView {
  @ApiProperty({ enum: ['fingerprint', 'certificateReference'] })
  kind: 'fingerprint' | 'certificateReference';
}

const RevokeEntryBody = z.union([
  z.object({ fingerprint: z.string().regex(/^[0-9a-fA-F]{64}$/), reason: z.string().min(1).max(200) }).strict(),
  z
    .object({ certificateReference: z.string().regex(/^[0-9a-fA-F]{16}$/), reason: z.string().min(1).max(200) })
    .strict(),
]);

function entryView(entry: RevocationEntry): RevocationEntryView {
  return { ...entry, revokedAt: entry.revokedAt.toISOString() };
}

/**
 * The trust store of spec §2 as an operator manages it. Anchors and the trust service list come from configuration
 * (files in production, reloaded on every node by `reload`), never from a request: adding an anchor is a key
 * ceremony, not an API call. The VRL is managed here: entries are added, never removed (docs/decisions.md).
 */
@ApiTags('admin')
@Controller('admin/trust')
export class AdminTrustController {
  constructor(private readonly trust: TrustStore) {}

  @Get()
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Trust anchors, the trust service list and the lists’ signer, each with its reference' })
  @ApiOkResponse({ type: TrustMaterialView })
  async material(): Promise<TrustMaterialView> {
    const { certificateReferences } = await this.trust.revocationList();
    const revoked = new Set(certificateReferences);
    const view = (certificate: X509Certificate): CertificateView => {
      const der = new Uint8Array(certificate.rawData);
      const reference = certificateReferenceHex(der);
      return {
        subject: certificate.subject,
        issuer: certificate.issuer,
        serialNumber: certificate.serialNumber,
        notBefore: certificate.notBefore.toISOString(),
        notAfter: certificate.notAfter.toISOString(),
        certificateReference: reference,
        sha256: createHash('sha256').update(der).digest('hex'),
        revoked: revoked.has(reference),
      };
    };
    const material = this.trust.material();
    return {
      source: this.trust.source,
      anchors: material.anchors.map(view),
      certificates: material.certificates.map(view),
      trustListSigner: view(material.trustListSigner),
    };
  }

  @Post('reload')
  @HttpCode(200)
  @AdminAuth('admin')
  @ApiOperation({
    summary:
      'Read the trust material again (new anchors or certificates in the files) here, then on every other node; 409 and nothing changes here if it does not load',
  })
  @ApiOkResponse({ type: TrustMaterialView })
  async reload(): Promise<TrustMaterialView> {
    await this.trust.reload();
    return this.material();
  }

  @Get('revocations')
  @Header('Cache-Control', 'no-store')
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Every VRL entry with who revoked it, when and why, newest first' })
  @ApiOkResponse({ type: RevocationEntriesView })
  async revocations(): Promise<RevocationEntriesView> {
    const entries = await this.trust.revocationEntries();
    return {
      fingerprints: entries.fingerprints.map(entryView),
      certificateReferences: entries.certificateReferences.map(entryView),
    };
  }

  @Post('revocations')
  @AdminAuth('admin')
  @ApiOperation({
    summary:
      'Put a VDS fingerprint or a certificate reference on the VRL (for good): 201 when added, 200 when it was there. Every node refuses it within moments: a listed fingerprint can no longer enroll or sign in',
  })
  @ApiBody({ type: RevokeEntryRequest })
  @ApiCreatedResponse({ type: RevokedEntryView })
  @ApiOkResponse({ type: RevokedEntryView, description: 'It was on the list already; nothing changed' })
  async revoke(
    @Body() body: RevokeEntryRequest,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RevokedEntryView> {
    const input = parseRequest(RevokeEntryBody, body);
    const actor = actorOf(request.principal);
    const context = { requestId: request.id, ip: request.ip };
    const kind = 'fingerprint' in input ? 'fingerprint' : 'certificateReference';
    const value = ('fingerprint' in input ? input.fingerprint : input.certificateReference).toLowerCase();
    const added =
      kind === 'fingerprint'
        ? await this.trust.revokeFingerprint(value, input.reason, actor, undefined, context)
        : await this.trust.revokeCertificate(value, input.reason, actor, undefined, context);
    reply.status(added ? 201 : 200);
    // Only this entry is read back, not the whole list.
    const entries = await this.trust.revocationEntries(value);
    const [entry] = entries[kind === 'fingerprint' ? 'fingerprints' : 'certificateReferences'];
    if (!entry) throw new Error(`VRL entry ${value} vanished after it was added`);
    return { kind, ...entryView(entry) };
  }
}
