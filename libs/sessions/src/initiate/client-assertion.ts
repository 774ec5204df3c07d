import { Injectable } from '@nestjs/common';
import { createLocalJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import { AppConfig, DomainError, EphemeralStore } from '#idtoken/platform';
import { ServiceRegistry, type ServiceEntity } from '#idtoken/services';

/** RFC 7523 §2.2 client assertion type. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Asymmetric only: a shared-secret (HS*) assertion is a secret sent another way; send the secret instead. */
export const ASSERTION_ALGORITHMS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'];
/** An assertion is a one-shot proof: at most five minutes from now to its `exp`. */
const MAX_LIFETIME_SECONDS = 300;
const CLOCK_TOLERANCE_SECONDS = 30;

const refused = (detail: string) => new DomainError('service_unauthenticated', detail);

/**
 * spec §6.1 service authentication by a signed client assertion (RFC 7523 §2.2, §3): a JWT with `iss` = `sub` =
 * serviceId, `aud` = the issuer URL (or its `/auth/initiate` endpoint), `exp` within five minutes, a `jti` used once,
 * signed by one of the service's registered public keys. Every failure is `401 service_unauthenticated`.
 */
@Injectable()
export class ClientAssertions {
  private readonly audiences: string[];
  /**
   * Each service's registered keys as a jose key set, built once per version of them: the key set imports each key
   * once, at its first use, instead of at every initiate. A change of the keys reloads the active services, so a new
   * version is a new array and the old set is let go with it.
   */
  private readonly keySets = new WeakMap<ServiceEntity['publicKeys'], ReturnType<typeof createLocalJWKSet>>();

  constructor(
    private readonly services: ServiceRegistry,
    private readonly store: EphemeralStore,
    config: AppConfig,
  ) {
    this.audiences = [config.issuerUrl, `${config.issuerUrl}/auth/initiate`];
  }

  /** The serviceId the assertion proves. */
  async authenticate(type: string, assertion: string, now: Date = new Date()): Promise<string> {
    if (type !== JWT_BEARER_ASSERTION) throw refused(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    let serviceId: unknown;
    try {
      serviceId = decodeJwt(assertion).iss;
    } catch {
      throw refused('client_assertion is not a JWT');
    }
    if (typeof serviceId !== 'string' || serviceId.length === 0) throw refused('client_assertion has no iss');
    const service = await this.services.getActive(serviceId).catch(() => undefined);
    if (!service || service.publicKeys.length === 0) throw refused('The assertion cannot be checked for this service');
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, this.keySetOf(service), {
        issuer: serviceId,
        subject: serviceId,
        audience: this.audiences,
        algorithms: ASSERTION_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: now,
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (error) {
      const reason = error instanceof errors.JOSEError ? error.code : 'invalid';
      throw refused(`client_assertion refused (${reason})`);
    }
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const exp = payload.exp as number;
    if (exp - nowSeconds > MAX_LIFETIME_SECONDS) {
      throw refused(`client_assertion must expire within ${MAX_LIFETIME_SECONDS} s`);
    }
    // RFC 7523 §3 item 7: a jti is accepted once while the assertion could still be valid.
    const ttlMs = (Math.max(exp - nowSeconds, 0) + CLOCK_TOLERANCE_SECONDS) * 1000;
    const first = await this.store.putIfAbsent(`client-assertion:${serviceId}:${String(payload.jti)}`, '1', ttlMs);
    if (!first) throw refused('client_assertion was already used (jti)');
    return serviceId;
  }

  private keySetOf(service: ServiceEntity): ReturnType<typeof createLocalJWKSet> {
    let keys = this.keySets.get(service.publicKeys);
    if (!keys) {
      keys = createLocalJWKSet({ keys: service.publicKeys.map(({ kid, jwk }) => ({ ...jwk, kid })) });
      this.keySets.set(service.publicKeys, keys);
    }
    return keys;
  }
}
