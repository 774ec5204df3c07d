import { z } from 'zod';
import { TokenIdSchema } from '../token-id.js';
import { REVOCATION_REASONS } from '../enrollment.entity.js';

const unixSeconds = z.number().int().nonnegative();

/** POST /enroll body (spec §4); unknown fields are refused. */
export const EnrollBody = z
  .object({
    vdsData: z.string().min(1).max(16_384),
    publicKeyPem: z.string().min(1).max(4_096),
    deviceId: z.string().min(1).max(200),
    fcmToken: z.string().min(1).max(4_096).optional(),
    platform: z.enum(['ios', 'android', 'web', 'simulator']),
    timestamp: unixSeconds,
    signatureBase64: z.string().min(1).max(200),
  })
  .strict();

/** POST /revoke body (spec §4). */
export const RevokeBody = z.object({ tokenId: TokenIdSchema, reason: z.enum(REVOCATION_REASONS) }).strict();

/** PUT /devices/push-token body: the §5.1 envelope plus `fcmToken`. */
export const PushTokenBody = z
  .object({
    tokenId: TokenIdSchema,
    timestamp: unixSeconds,
    signatureBase64: z.string().min(1).max(200),
    fcmToken: z.string().min(1).max(4_096),
  })
  .strict();
