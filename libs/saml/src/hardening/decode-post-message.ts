import { decodeBase64Strict } from './decode-base64-strict.js';
import { decodeUtf8Strict } from './decode-utf8-strict.js';

/** Caps of {@link decodePostMessage}. */
export interface DecodePostOptions {
  /** Largest decoded message accepted. */
  maxBytes?: number;
}

/**
 * Turns an HTTP-POST `SAMLRequest` / `SAMLResponse` form value into XML text (saml-bindings §3.5.4: base64, no
 * compression). Line breaks inside the base64 are tolerated (RFC 2045 wrapping); the size is capped before decoding.
 */
export function decodePostMessage(base64: string, { maxBytes = 131072 }: DecodePostOptions = {}): string {
  return decodeUtf8Strict(decodeBase64Strict(base64, { maxBytes, allowLineBreaks: true }));
}
