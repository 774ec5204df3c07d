import { z } from 'zod';

/**
 * A tokenId as the protocol writes it: a UUID in its canonical lower-case form (the `tid` of the identity VDS). The
 * upper-case spelling of the same UUID is refused rather than folded, so every key derived from a tokenId — rate
 * limits, the failure lockout, inbox and revocation lists — names one holder one way.
 */
export const TokenIdSchema = z
  .uuid()
  .refine((value) => value === value.toLowerCase(), 'must be a lower-case UUID (the tid of the credential)');
