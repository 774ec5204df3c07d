import type { z } from 'zod';
import { hexManifestId } from '../codec/layout.js';
import { unpackMap } from '../codec/messagepack.js';
import type { DecodedVds, VdsPayload } from '../types.js';
import { VdsError } from '../vds-error.js';
import { MANIFEST_SCHEMAS } from './manifests.js';

/**
 * spec §2 step 2: the manifest is known and `payload` (a decoded MessagePack map) matches its schema. Returns the
 * typed payload; throws VdsError('vds_schema') naming the first offending key.
 */
export function validatePayload(manifestId: number, payload: unknown): VdsPayload {
  const schema = MANIFEST_SCHEMAS.get(manifestId);
  if (!schema) throw new VdsError('vds_schema', `unknown manifest ID ${hexManifestId(manifestId)}`);
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const where = `manifest ${hexManifestId(manifestId)} payload`;
  throw new VdsError('vds_schema', `${where}: ${describeIssue(result.error.issues[0], payload)}`);
}

/** Step 2 on a decoded credential: its payload bytes as the typed payload of its manifest. */
export function decodePayload(decoded: DecodedVds): VdsPayload {
  let map: Record<string, unknown>;
  try {
    map = unpackMap(decoded.payloadBytes);
  } catch (error) {
    // decodeVds has checked this already; only a hand-built DecodedVds gets here.
    throw new VdsError('vds_malformed', `payload is not a MessagePack map: ${String(error)}`);
  }
  return validatePayload(decoded.manifestId, map);
}

function describeIssue(issue: z.core.$ZodIssue, payload: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown key ${issue.keys.map((key) => `"${key}"`).join(', ')} (keys outside the manifest are refused)`;
  }
  const key = issue.path[0];
  if (key === undefined) return `must be a map (${issue.message})`;
  const name = `"${String(key)}"`;
  const present = typeof payload === 'object' && payload !== null && Object.hasOwn(payload, key);
  if (!present) return `required key ${name} is missing`;
  const inner = issue.path.length > 1 ? ` (item ${issue.path.slice(1).join('.')})` : '';
  return `key ${name} ${issue.message}${inner}`;
}
