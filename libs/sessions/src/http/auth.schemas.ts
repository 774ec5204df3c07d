import { z } from 'zod';
import { TokenIdSchema } from '#idtoken/enrollment';

// Bodies of the session endpoints (spec §6.1, §6.2); unknown fields are refused.

/** Standard base64 with padding: a lenient decoder would skip characters and verify something else. */
const signatureBase64 = z
  .string()
  .min(4)
  .max(200)
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be standard base64 with padding');
const sessionId = z.string().regex(/^sess_[A-Za-z0-9_-]{22}$/, 'must be a sessionId (spec §6.1)');
const scopeList = z.array(z.string().min(1).max(100)).max(50);

/** spec §6.1; "exactly one of serviceVds or serviceId" is a check of its own, in the spec's order. */
export const InitiateBody = z
  .object({
    tokenId: TokenIdSchema.optional(),
    serviceVds: z.string().min(1).max(16_384).optional(),
    serviceId: z.string().min(1).max(64).optional(),
    scopes: scopeList.optional(),
    // spec §6.1 / RFC 7523: the signed alternative to Basic service authentication.
    client_assertion_type: z.string().max(200).optional(),
    client_assertion: z.string().min(1).max(8_192).optional(),
  })
  .strict();

/** spec §6.2. */
export const VerifyBody = z
  .object({
    sessionId,
    tokenId: TokenIdSchema,
    otp: z.string().regex(/^\d{6}$/, 'must be 6 digits'),
    timestamp: z.number().int().nonnegative(),
    grantedScopes: scopeList,
    signatureBase64,
  })
  .strict();

/** spec §6.2 deny: the §5.1 envelope plus `sessionId`. */
export const DenyBody = z
  .object({ sessionId, tokenId: TokenIdSchema, timestamp: z.number().int().nonnegative(), signatureBase64 })
  .strict();

export const SessionIdParam = sessionId;

/** spec §6.4: `Authorization: Bearer <wsToken>`. */
export const BearerWsToken = z
  .string()
  .regex(/^Bearer [A-Za-z0-9_-]{43}$/, 'must be "Bearer <wsToken>"')
  .transform((header) => header.slice('Bearer '.length));
