import { expandScopes, isSubset, parseScopes, ScopeError, type AtomicScope } from '#idtoken/claims';
import type { EnrollmentEntity, EnrollmentRepository } from '#idtoken/enrollment';
import { DomainError, type RateLimiter } from '#idtoken/platform';
import type { ServiceEntity, ServiceRegistry, TrustBindings } from '#idtoken/services';
import { TOKEN_FAILURE_LIMIT, type SessionStore } from '../session.store.js';
import type { ClientAssertions } from './client-assertion.js';
import type { ServiceCredential } from './service-credential.js';

// The checks of spec §6.1, one small function each; InitiateFlow runs them in this order.

const MINUTE_MS = 60_000;

/** How the relying party named its service: exactly one of the two (spec §6.1). */
export type ServiceReference = { serviceVds: string } | { serviceId: string };

export interface InitiatePorts {
  rateLimiter: Pick<RateLimiter, 'consume'>;
  /** Per minute: initiates per client IP (spec §6.1, 10 by default) and session starts per tokenId. */
  limits: { perIp: number; perToken: number };
  services: Pick<ServiceRegistry, 'verifySecret' | 'getActive'>;
  /** Checks an RFC 7523 client assertion; returns the serviceId it proves. */
  assertions: Pick<ClientAssertions, 'authenticate'>;
  /** Verifies a Service VDS (spec §2, all steps) and returns its `sid`. */
  serviceIdOfVds: (serviceVds: string, now: Date) => Promise<string>;
  enrollments: Pick<EnrollmentRepository, 'requireActive'>;
  trustBindings: Pick<TrustBindings, 'isTrusted'>;
  sessions: Pick<SessionStore, 'tokenFailures'>;
}

export async function withinRateLimit(ports: InitiatePorts, ip: string): Promise<void> {
  await ports.rateLimiter.consume(`initiate:${ip}`, ports.limits.perIp, MINUTE_MS);
}

/**
 * Session starts per tokenId per minute, whoever asks: every start pushes to the phone, so this bounds the requests
 * anyone can send to one device. Counted last, so only starts that would open a session count.
 */
export async function withinTokenStartLimit(ports: InitiatePorts, tokenId: string): Promise<void> {
  await ports.rateLimiter.consume(`initiate-token:${tokenId}`, ports.limits.perToken, MINUTE_MS);
}

/** spec §6.1: a presented credential must be the service's current one; returns the authenticated serviceId. */
export async function authenticateService(
  ports: InitiatePorts,
  credential: ServiceCredential | undefined,
): Promise<string | undefined> {
  if (!credential) return undefined;
  if (credential.kind === 'assertion') return ports.assertions.authenticate(credential.type, credential.assertion);
  if (!(await ports.services.verifySecret(credential.serviceId, credential.secret))) {
    throw new DomainError('service_unauthenticated', 'The service credential is not valid');
  }
  return credential.serviceId;
}

/** spec §6.1: exactly one of `serviceVds` (recommended) or `serviceId` (legacy). */
export function exactlyOneServiceReference(body: { serviceVds?: string; serviceId?: string }): ServiceReference {
  if (body.serviceVds !== undefined && body.serviceId === undefined) return { serviceVds: body.serviceVds };
  if (body.serviceId !== undefined && body.serviceVds === undefined) return { serviceId: body.serviceId };
  throw new DomainError('invalid_request', 'Send exactly one of serviceVds or serviceId');
}

/** spec §6.1 "service known": a Service VDS verified per §2, or a registered serviceId; never a disabled one. */
export async function knownService(
  ports: InitiatePorts,
  reference: ServiceReference,
  now: Date,
): Promise<ServiceEntity> {
  const serviceId =
    'serviceVds' in reference ? await ports.serviceIdOfVds(reference.serviceVds, now) : reference.serviceId;
  return ports.services.getActive(serviceId);
}

/**
 * spec §6.1: the authenticated service must be the one named; an unauthenticated initiate is accepted only for a
 * service registered with `publicInitiate: true`.
 */
export function authenticatedUnlessPublic(service: ServiceEntity, authenticatedServiceId: string | undefined): void {
  if (authenticatedServiceId === undefined) {
    if (service.publicInitiate) return;
    throw new DomainError('service_unauthenticated', `Service "${service.serviceId}" must authenticate to initiate`);
  }
  if (authenticatedServiceId !== service.serviceId) {
    throw new DomainError('service_unauthenticated', 'The credential belongs to another service than the one named');
  }
}

/** spec §6.1: enrollment exists (404 enrollment_not_found) and is active (403 enrollment_revoked). */
export function activeEnrollment(ports: InitiatePorts, tokenId: string, now: Date): Promise<EnrollmentEntity> {
  return ports.enrollments.requireActive(tokenId, now);
}

/** spec §6.2: after 30 failed checks in 24 h for one tokenId, its initiates answer 429 until the window passes. */
export async function notLockedOut(ports: InitiatePorts, tokenId: string): Promise<void> {
  if ((await ports.sessions.tokenFailures(tokenId)) >= TOKEN_FAILURE_LIMIT) {
    throw new DomainError('too_many_attempts', 'Too many failed checks for this tokenId in the last 24 h');
  }
}

/** spec §6.1: a trust binding must exist when the service has `requireTrust`. */
export async function trustedWhenRequired(
  ports: InitiatePorts,
  service: ServiceEntity,
  tokenId: string,
): Promise<void> {
  if (!service.requireTrust) return;
  if (!(await ports.trustBindings.isTrusted(tokenId, service.serviceId))) {
    throw new DomainError('service_not_trusted', `This holder does not trust service "${service.serviceId}"`);
  }
}

/**
 * spec §6.1, §7: scopes default to the service's defaultScopes (when the field is absent), composites expanded,
 * and must lie within its allowedScopes (`422 invalid_scope`). Unknown scopes are errors, never ignored.
 */
export function scopesWithinAllowed(service: ServiceEntity, requested: readonly string[] | undefined): AtomicScope[] {
  try {
    const scopes = parseScopes(requested ?? service.defaultScopes);
    if (!isSubset(scopes, parseScopes(service.allowedScopes))) {
      throw new DomainError('invalid_scope', `Scopes beyond what service "${service.serviceId}" may request`);
    }
    return expandScopes(scopes);
  } catch (error) {
    if (error instanceof ScopeError) throw new DomainError('invalid_scope', error.detail);
    throw error;
  }
}
