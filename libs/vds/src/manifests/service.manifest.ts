import { z } from 'zod';
import type { ServicePayload } from '../types.js';
import { httpsOrigin, issuerUrl, logo, scopeList, slug, text, unixSeconds } from './field-rules.js';

/** spec §2 manifest 0x0A0002, the Service VDS. Every key is required; keys it does not name are refused. */
export const servicePayloadSchema: z.ZodType<ServicePayload> = z
  .strictObject({
    sid: slug(64),
    name: text(1, 64),
    url: httpsOrigin,
    logo: logo(4096),
    scp: scopeList,
    iat: unixSeconds,
    exp: unixSeconds,
    iss: issuerUrl,
  })
  .refine((payload) => payload.exp >= payload.iat, { error: 'must not be before iat', path: ['exp'] });
