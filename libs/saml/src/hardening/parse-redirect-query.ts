import { SamlRequestRefused } from './saml-request-refused.js';

/** The parameters of an HTTP-Redirect message, read from the raw query string. */
export interface RedirectQuery {
  /** Which message the query carries. */
  messageParameter: 'SAMLRequest' | 'SAMLResponse';
  /** The message, URL-decoded (still base64 of DEFLATE: give it to `decodeRedirectMessage`). */
  message: string;
  relayState?: string;
  sigAlg?: string;
  /** The detached signature, URL-decoded (base64). */
  signature?: string;
  /**
   * What the sender signed (saml-bindings §3.4.4.1): the raw `SAMLRequest=…`/`SAMLResponse=…`, `RelayState=…`
   * (if present) and `SigAlg=…` substrings exactly as received, joined with `&`. Present when SigAlg is.
   */
  signedContent?: string;
}

const MESSAGE_PARAMETERS = ['SAMLRequest', 'SAMLResponse'] as const;
const KNOWN = new Set<string>([...MESSAGE_PARAMETERS, 'RelayState', 'SigAlg', 'Signature', 'SAMLEncoding']);
const DEFLATE_ENCODING = 'urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE';

interface RawParameter {
  /** `name=value` exactly as in the query string. */
  raw: string;
  /** The value, URL-decoded. */
  value: string;
}

/**
 * Splits a raw HTTP-Redirect query string without re-encoding anything, so the signed octets are the received
 * ones (re-encoding would break signatures from SPs that percent-encode differently, and would make us verify
 * something else than what was sent). A SAML parameter that appears twice (also once percent-encoded in its name)
 * is refused: frameworks disagree on which copy wins, and the copy verified must be the copy processed. The HTTP
 * layer should read the message and RelayState from this result, not from its own parsed query.
 */
export function parseRedirectQuery(rawQuery: string): RedirectQuery {
  const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  const found = new Map<string, RawParameter>();
  for (const raw of query.split('&')) {
    if (raw === '') continue;
    const equals = raw.indexOf('=');
    const rawName = equals === -1 ? raw : raw.slice(0, equals);
    const name = formDecode(rawName);
    if (!KNOWN.has(name)) continue;
    if (found.has(name)) refuse(`${name} appears more than once`);
    if (rawName !== name || equals === -1) refuse(`malformed ${name} parameter`);
    found.set(name, { raw, value: formDecode(raw.slice(equals + 1)) });
  }
  const encoding = found.get('SAMLEncoding');
  if (encoding && encoding.value !== DEFLATE_ENCODING) refuse('only the DEFLATE SAMLEncoding is supported');

  const messages = MESSAGE_PARAMETERS.filter((name) => found.has(name));
  const [messageParameter] = messages;
  const message = messageParameter ? found.get(messageParameter) : undefined;
  if (!messageParameter || !message || messages.length > 1) refuse('exactly one of SAMLRequest or SAMLResponse');
  const relayState = found.get('RelayState');
  const sigAlg = found.get('SigAlg');
  const signature = found.get('Signature');
  if (!sigAlg !== !signature) refuse('SigAlg and Signature go together');
  return {
    messageParameter,
    message: message.value,
    ...(relayState ? { relayState: relayState.value } : {}),
    ...(sigAlg ? { sigAlg: sigAlg.value } : {}),
    ...(signature ? { signature: signature.value } : {}),
    ...(sigAlg ? { signedContent: [message.raw, relayState?.raw, sigAlg.raw].filter(isString).join('&') } : {}),
  };
}

/** application/x-www-form-urlencoded decoding: `+` is a space, then percent-decoding (strict UTF-8). */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    refuse('malformed percent-encoding');
  }
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}

function refuse(problem: string): never {
  throw new SamlRequestRefused('malformed_query', problem);
}
