import { z } from 'zod';
import { TokenIdSchema } from '#idtoken/enrollment';

// Bodies and queries of the device-signed trust endpoints (spec §5, §5.1); unknown fields are refused.

const envelope = {
  tokenId: TokenIdSchema,
  timestamp: z.number().int().nonnegative(),
  signatureBase64: z.string().min(1).max(200),
};

export const TrustBody = z.object({ ...envelope, serviceVds: z.string().min(1).max(16_384) }).strict();

export const UntrustBody = z.object(envelope).strict();

/** GET carries the envelope in the query string (spec §5.1), so the timestamp arrives as text. */
export const ListServicesQuery = z
  .object({
    ...envelope,
    timestamp: z
      .string()
      .regex(/^\d{1,12}$/, 'must be Unix seconds')
      .transform(Number),
  })
  .strict();

export const ServiceIdParam = z.string().min(1).max(64);
