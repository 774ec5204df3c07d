import { DomainError } from '#idtoken/platform';

/** A relying party's secret, from `Authorization: Basic` (spec §6.1 service authentication). */
export interface ServiceSecretCredential {
  kind: 'secret';
  serviceId: string;
  secret: string;
}

/** A signed client assertion (RFC 7523), from the body's `client_assertion_type` and `client_assertion`. */
export interface ServiceAssertionCredential {
  kind: 'assertion';
  type: string;
  assertion: string;
}

/** What a relying party presents on initiate (spec §6.1): at most one of the two. */
export type ServiceCredential = ServiceSecretCredential | ServiceAssertionCredential;

/** The credential of an initiate: Basic header, assertion fields, or none; both at once is refused. */
export function serviceCredentialOf(input: {
  authorization?: string;
  clientAssertionType?: string;
  clientAssertion?: string;
}): ServiceCredential | undefined {
  const basic = parseBasicCredential(input.authorization);
  const { clientAssertionType: type, clientAssertion: assertion } = input;
  if (type === undefined && assertion === undefined) return basic;
  if (type === undefined || assertion === undefined) {
    throw new DomainError('invalid_request', 'Send client_assertion_type and client_assertion together');
  }
  if (basic) throw new DomainError('invalid_request', 'Authenticate with one method: Basic or a client assertion');
  return { kind: 'assertion', type, assertion };
}

/**
 * spec §6.1: `Authorization: Basic base64(serviceId:secret)`. No header → undefined (an unauthenticated initiate);
 * any other header, or a Basic value that does not decode to `id:secret`, is a failed authentication.
 */
export function parseBasicCredential(authorization: string | undefined): ServiceSecretCredential | undefined {
  if (authorization === undefined || authorization === '') return undefined;
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(authorization.trim());
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 1 || colon === decoded.length - 1) {
    throw new DomainError('service_unauthenticated', 'Authorization must be Basic base64(serviceId:secret)');
  }
  return { kind: 'secret', serviceId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
