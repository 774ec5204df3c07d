import { DomainError } from '../errors/domain-error.js';

/** Standard base64 with padding (RFC 4648 §4), strictly: Buffer.from alone would skip invalid characters. */
export function decodeBase64Strict(value: string, field: string): Buffer {
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new DomainError('invalid_request', `${field} must be standard base64 with padding`);
  }
  return Buffer.from(value, 'base64');
}
