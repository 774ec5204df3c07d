import { SamlRequestRefused } from './saml-request-refused.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes UTF-8, refusing invalid sequences instead of replacing them with U+FFFD: a replaced byte would make the
 * text samlify reads differ from the bytes the sender signed. A leading BOM is dropped.
 */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new SamlRequestRefused('not_utf8', 'message is not valid UTF-8');
  }
}
