import type { z } from 'zod';
import { IDENTITY_MANIFEST, SERVICE_MANIFEST, type VdsPayload } from '../types.js';
import { identityPayloadSchema } from './identity.manifest.js';
import { servicePayloadSchema } from './service.manifest.js';

/** spec §2: the manifests this profile knows, by manifest ID. Any other ID fails step 2. */
export const MANIFEST_SCHEMAS: ReadonlyMap<number, z.ZodType<VdsPayload>> = new Map<number, z.ZodType<VdsPayload>>([
  [IDENTITY_MANIFEST, identityPayloadSchema],
  [SERVICE_MANIFEST, servicePayloadSchema],
]);
