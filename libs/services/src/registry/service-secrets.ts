import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, deriveKey } from '#idtoken/platform';

/**
 * Service secrets (spec §6.1 service authentication), kept like admin API keys: 32 random bytes shown once,
 * stored as HMAC-SHA256(pepper, secret) with a pepper derived from MASTER, so a stolen table yields no secret.
 */
@Injectable()
export class ServiceSecrets {
  private readonly pepper: Buffer;

  constructor(config: AppConfig) {
    this.pepper = deriveKey(config.masterSecret, 'IDToken/v1/service-secret-pepper');
  }

  /** A new secret and the hash to store. */
  generate(): { serviceSecret: string; secretHash: string } {
    const serviceSecret = `ids_${randomBytes(32).toString('base64url')}`;
    return { serviceSecret, secretHash: this.hash(serviceSecret) };
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
