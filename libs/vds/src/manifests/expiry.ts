import {
  IDENTITY_MANIFEST,
  SERVICE_MANIFEST,
  type IdentityPayload,
  type ServicePayload,
  type VdsPayload,
} from '../types.js';
import { hexManifestId } from '../codec/layout.js';
import { endOfUtcDay } from './calendar.js';

/**
 * spec §2 step 6: the first instant at which the credential is expired. Identity `exp` is a date: the credential
 * is good through that whole UTC day. Service `exp` is Unix seconds, read as JWT `exp` is (RFC 7519 §4.1.4):
 * expired on or after it.
 */
export function vdsExpiresAt(manifestId: number, payload: VdsPayload): Date {
  if (manifestId === IDENTITY_MANIFEST) return endOfUtcDay((payload as IdentityPayload).exp);
  if (manifestId === SERVICE_MANIFEST) return new Date((payload as ServicePayload).exp * 1000);
  throw new RangeError(`no expiry rule for manifest ${hexManifestId(manifestId)}`);
}

export function isVdsExpired(manifestId: number, payload: VdsPayload, now: Date): boolean {
  return now.getTime() >= vdsExpiresAt(manifestId, payload).getTime();
}
