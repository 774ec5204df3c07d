import { SamlRequestRefused } from './saml-request-refused.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RFC 2045 allows line breaks in base64 (some SPs wrap HTTP-POST values at 76 columns); nothing else. */
const LINE_BREAKS = /[\r\n]/g;

/** Options of {@link decodeBase64Strict}. */
export interface DecodeBase64Options {
  /** Largest decoded size accepted; checked on the text's length first, so an oversized value is never decoded. */
  maxBytes: number;
  /** Accept CR/LF between characters (HTTP-POST values); the Redirect binding never has them. */
  allowLineBreaks: boolean;
}

/**
 * Decodes standard base64 (RFC 4648 §4, padded), refusing anything Node's lenient `Buffer.from` would silently
 * skip or guess: other characters, URL-safe letters, missing or wrong padding, non-zero padding bits. What is
 * decoded is then exactly what the sender encoded, which keeps signatures and size caps meaningful.
 */
export function decodeBase64Strict(text: string, { maxBytes, allowLineBreaks }: DecodeBase64Options): Buffer {
  const maxChars = Math.ceil(maxBytes / 3) * 4;
  if (text.length > maxChars * (allowLineBreaks ? 2 : 1) + 4) {
    throw new SamlRequestRefused('too_large', `base64 value longer than ${maxChars} characters`);
  }
  const compact = allowLineBreaks ? text.replace(LINE_BREAKS, '') : text;
  if (compact.length === 0 || !BASE64.test(compact)) {
    throw new SamlRequestRefused('not_base64', 'value is not padded standard base64');
  }
  const bytes = Buffer.from(compact, 'base64');
  // Non-zero bits in the last character before the padding decode "fine" but are not what an encoder writes.
  if (bytes.toString('base64') !== compact) {
    throw new SamlRequestRefused('not_base64', 'value is not canonical base64');
  }
  if (bytes.length > maxBytes) {
    throw new SamlRequestRefused('too_large', `decoded value larger than ${maxBytes} bytes`);
  }
  return bytes;
}
