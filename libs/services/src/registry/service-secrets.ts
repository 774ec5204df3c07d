import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, SecretBox, deriveKey } from '#idtoken/platform';

const sealContext = (serviceId: string): string => `service-secret:${serviceId}`;

/**
 * Service secrets (spec §6.1 service authentication): 32 random bytes shown once, checked against
 * HMAC-SHA256(pepper, secret) with a pepper derived from MASTER. A copy sealed under MASTER (AES-256-GCM, bound to
 * the serviceId) is kept too, because the OIDC facade needs the secret itself: client_secret_jwt and HS256 request
 * objects are keyed by it (docs/decisions.md "OIDC"). A stolen table yields neither without MASTER.
 */
@Injectable()
export class ServiceSecrets {
  private readonly pepper: Buffer;

  constructor(
    config: AppConfig,
    private readonly box: SecretBox,
  ) {
    this.pepper = deriveKey(config.masterSecret, 'IDToken/v1/service-secret-pepper');
  }

  /** A new secret for `serviceId`, its hash and its sealed copy to store. */
  generate(serviceId: string): { serviceSecret: string; secretHash: string; secretSealed: Buffer } {
    const serviceSecret = `ids_${randomBytes(32).toString('base64url')}`;
    return {
      serviceSecret,
      secretHash: this.hash(serviceSecret),
      secretSealed: this.box.seal(Buffer.from(serviceSecret, 'utf8'), sealContext(serviceId)),
    };
  }

  /** The secret itself, for the OIDC facade; undefined when none was sealed (a service older than sealing). */
  reveal(service: { serviceId: string; secretSealed: Buffer | null }): string | undefined {
    if (!service.secretSealed) return undefined;
    return this.box.open(service.secretSealed, sealContext(service.serviceId)).toString('utf8');
  }

  /** Whether `presented` is the secret whose hash is stored (constant time). */
  matches(presented: string, secretHash: string | null): boolean {
    if (!secretHash) return false;
    return timingSafeEqual(Buffer.from(this.hash(presented), 'hex'), Buffer.from(secretHash, 'hex'));
  }

  private hash(secret: string): string {
    return createHmac('sha256', this.pepper).update(secret, 'utf8').digest('hex');
  }
}
