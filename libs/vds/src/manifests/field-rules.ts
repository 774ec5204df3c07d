import { types } from 'node:util';
import { z } from 'zod';
import { isCalendarDate, isMrzDate } from './calendar.js';

// The value rules of spec §2's manifests, shared by both schemas. Messages complete "key "x": …".

/** Length in characters (Unicode code points), not UTF-16 units. */
export const text = (min: number, max: number) =>
  z.string({ error: 'must be a string' }).refine(
    (value) => {
      const length = [...value].length;
      return length >= min && length <= max;
    },
    { error: min === 0 ? `must be at most ${max} characters` : `must be ${min} to ${max} characters` },
  );

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

export const calendarDate = z.string({ error: 'must be a string' }).refine(isCalendarDate, {
  error: 'must be a date YYYY-MM-DD',
});

export const mrzDate = z.string({ error: 'must be a string' }).refine(isMrzDate, {
  error: 'must be a date YYYY-MM-DD, unknown parts as X (e.g. 1985-XX-XX)',
});

/** ISO 3166-1 alpha-3 form; membership in the list (and ICAO's extra codes such as XXA) is not checked. */
export const alpha3 = z.string({ error: 'must be a string' }).regex(/^[A-Z]{3}$/, {
  error: 'must be an ISO 3166-1 alpha-3 code (3 upper-case letters)',
});

/** Lower case only, so that one tokenId has one spelling wherever it is compared. */
export const uuidV4 = z
  .string({ error: 'must be a string' })
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, {
    error: 'must be a lower-case UUID v4',
  });

/** A MessagePack bin of 1 to `max` bytes. util.types works across realms (Jest), unlike instanceof. */
export const byteString = (max: number) =>
  z
    .custom<Uint8Array>((value) => types.isUint8Array(value), { error: 'must be a byte string (MessagePack bin)' })
    .refine((value) => value.length >= 1 && value.length <= max, { error: `must be 1 to ${max} bytes` });

/** A WEBP file: RIFF container whose form type is WEBP. */
export const webp = (max: number) =>
  byteString(max).refine(
    (value) =>
      value.length >= 12 &&
      Buffer.from(value.subarray(0, 4)).toString('latin1') === 'RIFF' &&
      Buffer.from(value.subarray(8, 12)).toString('latin1') === 'WEBP',
    { error: 'must be a WEBP image (RIFF….WEBP)' },
  );

const parseUrl = (value: string): URL | undefined => {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
};

/** Written exactly as a browser's Origin header (spec §6.4 compares them): `https://host[:port]`, nothing more. */
export const httpsOrigin = z.string({ error: 'must be a string' }).refine(
  (value) => {
    const url = parseUrl(value);
    return url?.protocol === 'https:' && url.origin === value;
  },
  { error: 'must be an https origin (https://host[:port], lower-case, no path or trailing slash)' },
);

/** As the configured ISSUER_URL (docs/decisions.md): compared byte for byte, so no query, fragment or final slash. */
export const issuerUrl = z.string({ error: 'must be a string' }).refine(
  (value) => {
    const url = parseUrl(value);
    return (
      (url?.protocol === 'https:' || url?.protocol === 'http:') &&
      !url.search &&
      !url.hash &&
      !url.username &&
      !url.password &&
      !value.endsWith('/')
    );
  },
  { error: 'must be an absolute http(s) URL without query, fragment, credentials or trailing slash' },
);

const DATA_IMAGE_URL = /^data:image\/[a-z0-9.+-]+(?:;[a-z0-9.+=-]+)*,/i;

/** spec §2 `logo`: an https URL or a data:image/… URL, at most `maxBytes` bytes of UTF-8 either way. */
export const logo = (maxBytes: number) =>
  z
    .string({ error: 'must be a string' })
    .refine((value) => Buffer.byteLength(value, 'utf8') <= maxBytes, { error: `must be at most ${maxBytes} bytes` })
    .refine((value) => DATA_IMAGE_URL.test(value) || parseUrl(value)?.protocol === 'https:', {
      error: 'must be an https URL or a data:image/… URL',
    });

/** RFC 6749 §3.3 scope-token, since scopes travel space-separated (spec §7 `scope`). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export const scopeList = z
  .array(
    z.string({ error: 'must hold strings only' }).regex(SCOPE_TOKEN, {
      error: 'must hold RFC 6749 scope-tokens (printable ASCII without space, " or \\)',
    }),
    { error: 'must be an array of scope strings' },
  )
  .refine((scopes) => new Set(scopes).size === scopes.length, { error: 'must not repeat a scope' });

export const unixSeconds = z
  .number({ error: 'must be an integer (Unix seconds)' })
  .int({ error: 'must be an integer (Unix seconds)' })
  .min(0, { error: 'must not be negative' });

/** serviceId (spec §5 "slug"): lower-case letters, digits, "-" and "_", starting and ending alphanumeric. */
export const slug = (max: number) =>
  z.string({ error: 'must be a string' }).regex(new RegExp(`^[a-z0-9](?:[a-z0-9_-]{0,${max - 2}}[a-z0-9])?$`), {
    error: `must be a slug of 1 to ${max} characters (a-z, 0-9, "-", "_")`,
  });
