import { z } from 'zod';
import type { IdentityPayload } from '../types.js';
import { alpha3, byteString, calendarDate, mrzDate, oneOf, text, uuidV4, webp } from './field-rules.js';

/**
 * spec §2 manifest 0x0A0001, the identity VDS. Required: gn fn dob nat doc tid exp photo face lvl. Keys the
 * manifest does not name are refused (strict), so nothing unreviewed is ever carried under a signature.
 */
export const identityPayloadSchema: z.ZodType<IdentityPayload> = z.strictObject({
  // A holder may have no given name (the MRZ then has only a primary identifier); a family name is always there.
  gn: text(0, 39),
  fn: text(1, 39),
  dob: mrzDate,
  nat: alpha3,
  sex: oneOf(['M', 'F', 'X']).optional(),
  // The spec sets no bound; 39 (the name bound) is far above any MRZ document number.
  doc: text(1, 39),
  dty: oneOf(['P', 'ID']).optional(),
  dst: alpha3.optional(),
  dex: calendarDate.optional(),
  tid: uuidV4,
  exp: calendarDate,
  lvl: oneOf(['substantial', 'high']),
  photo: webp(4096),
  face: byteString(1024),
});
