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

/** GET /admin/enrollments query. */
export const EnrollmentListQuery = z
  .object({
    status: z.enum(['active', 'revoked']).optional(),
    // The id of the previous page's last row: rows are never deleted, so it always names a place in the order.
    cursor: z.uuid({ message: 'must be the nextCursor of the previous page' }).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
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
