import { inflateRawSync } from 'node:zlib';
import { decodeBase64Strict } from './decode-base64-strict.js';
import { decodeUtf8Strict } from './decode-utf8-strict.js';
import { SamlRequestRefused } from './saml-request-refused.js';

/** Caps of {@link decodeRedirectMessage}. */
export interface DecodeRedirectOptions {
  /** Largest compressed message accepted (a URL carries a few kilobytes at most). */
  maxDeflatedBytes?: number;
  /** Largest inflated message accepted; inflation stops at this size, so a DEFLATE bomb costs no more. */
  maxInflatedBytes?: number;
}

/**
 * Turns an HTTP-Redirect `SAMLRequest` / `SAMLResponse` value (already URL-decoded) into XML text
 * (saml-bindings §3.4.4.1: base64 of raw DEFLATE, RFC 1951). Both sizes are capped: the inflater is told the
 * output limit, so 50 MB of deflated zeros stop after `maxInflatedBytes` instead of filling memory.
 */
export function decodeRedirectMessage(
  base64: string,
  { maxDeflatedBytes = 16384, maxInflatedBytes = 131072 }: DecodeRedirectOptions = {},
): string {
  const deflated = decodeBase64Strict(base64, { maxBytes: maxDeflatedBytes, allowLineBreaks: false });
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(deflated, { maxOutputLength: maxInflatedBytes });
  } catch (error) {
    if (errorCode(error) === 'ERR_BUFFER_TOO_LARGE') {
      throw new SamlRequestRefused('inflate_too_large', `inflated message larger than ${maxInflatedBytes} bytes`);
    }
    throw new SamlRequestRefused('not_deflate', 'message is not raw DEFLATE data');
  }
  return decodeUtf8Strict(inflated);
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}
