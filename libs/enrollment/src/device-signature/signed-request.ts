import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** Actions of spec §5.1. A signature made for one action never verifies for another. */
export const DEVICE_ACTIONS = ['trust', 'untrust', 'list-services', 'push-token', 'inbox', 'deny'] as const;
export type DeviceAction = (typeof DEVICE_ACTIONS)[number];

/**
 * The string a device signs for a device-signed request (spec §5.1):
 * `action|tokenId|timestamp|b64url(SHA-256(C))`, C the canonical JSON (keys sorted at every level, no
 * whitespace; RFC 8785) of every other field, path parameters included by name; `{}` when there are none.
 */
export function deviceRequestMessage(
  action: DeviceAction,
  tokenId: string,
  timestamp: number,
  fields: Record<string, unknown>,
): string {
  const canonical = canonicalize(fields) ?? '{}';
  const digest = createHash('sha256').update(canonical, 'utf8').digest('base64url');
  return `${action}|${tokenId}|${timestamp}|${digest}`;
}

/** Spec §4: the proof of possession signed at enrollment. */
export function enrollMessage(tokenId: string, keyId: string, timestamp: number): string {
  return `enroll|${tokenId}|${keyId}|${timestamp}`;
}
