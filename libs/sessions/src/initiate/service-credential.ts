import { DomainError } from '#idtoken/platform';

/** What a relying party presents on initiate (spec §6.1 service authentication). */
export interface ServiceCredential {
  serviceId: string;
  secret: string;
}

/**
 * spec §6.1: `Authorization: Basic base64(serviceId:secret)`. No header → undefined (an unauthenticated initiate);
 * any other header, or a Basic value that does not decode to `id:secret`, is a failed authentication.
 */
export function parseBasicCredential(authorization: string | undefined): ServiceCredential | undefined {
  if (authorization === undefined || authorization === '') return undefined;
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(authorization.trim());
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 1 || colon === decoded.length - 1) {
    throw new DomainError('service_unauthenticated', 'Authorization must be Basic base64(serviceId:secret)');
  }
  return { serviceId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
