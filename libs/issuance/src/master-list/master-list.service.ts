import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { BasicConstraintsExtension, X509Certificate } from '@peculiar/x509';
import { DataSource } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { DomainError, isUniqueViolation } from '#idtoken/platform';
import { CscaCertificateEntity } from './csca.entity.js';

/** The CSCA master list: trust anchors for document signers (ICAO 9303 part 12). */
@Injectable()
export class MasterListService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  /** Adds a CSCA from PEM. It must parse, be a CA certificate, and be self-signed (a CSCA is a root). */
  async add(
    certificatePem: string,
    context: { actor: string; requestId?: string; ip?: string },
  ): Promise<CscaCertificateEntity> {
    const certificate = parseCsca(certificatePem);
    const der = Buffer.from(certificate.rawData);
    const fingerprint = createHash('sha256').update(der).digest('hex');
    try {
      return await this.dataSource.transaction(async (manager) => {
        const repository = manager.getRepository(CscaCertificateEntity);
        const row = await repository.save(
          repository.create({
            subject: certificate.subject,
            fingerprint,
            certificateDer: der,
            notBefore: certificate.notBefore,
            notAfter: certificate.notAfter,
            addedBy: context.actor,
          }),
        );
        await this.audit.record(
          {
            type: 'trust.csca_added',
            actor: context.actor,
            subject: fingerprint,
            requestId: context.requestId,
            ip: context.ip,
            data: { subject: certificate.subject },
          },
          manager,
        );
        return row;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError('conflict', 'This CSCA certificate is already on the master list');
      }
      throw error;
    }
  }

  list(): Promise<CscaCertificateEntity[]> {
    return this.dataSource.getRepository(CscaCertificateEntity).find({ order: { addedAt: 'ASC' } });
  }

  /** DER of every CSCA, for passive authentication. */
  async certificates(): Promise<Uint8Array[]> {
    return (await this.list()).map((row) => row.certificateDer);
  }
}

function parseCsca(pem: string): X509Certificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new DomainError('invalid_request', 'certificatePem is not a PEM X.509 certificate');
  }
  const constraints = certificate.getExtension(BasicConstraintsExtension);
  if (!constraints?.ca)
    throw new DomainError('invalid_request', 'certificatePem is not a CA certificate (basicConstraints cA is not set)');
  if (certificate.subject !== certificate.issuer) {
    throw new DomainError('invalid_request', 'certificatePem is not self-signed: a CSCA is a root certificate');
  }
  return certificate;
}
