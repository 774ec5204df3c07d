import { DomainError } from '#idtoken/platform';
import { MAX_SP_METADATA_BYTES } from './sp-metadata.js';
import type { NodeEnv } from './saml-sp-settings.js';

const FETCH_TIMEOUT_MS = 5000;

/**
 * Fetches SP metadata once, for an admin action (never on a login): https only (http on localhost outside
 * production), no redirects, a time limit and a size cap. Failures are `400 invalid_request` naming the URL's problem.
 */
export async function fetchSpMetadata(url: string, nodeEnv: NodeEnv): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('metadataUrl must be an absolute URL');
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(nodeEnv !== 'production' && parsed.protocol === 'http:' && local)) {
    throw invalid('metadataUrl must be an https URL');
  }
  let response: Response;
  try {
    response = await fetch(parsed, { redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (error) {
    throw invalid(`metadataUrl could not be fetched (${(error as Error).message})`);
  }
  if (!response.ok) throw invalid(`metadataUrl answered ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_SP_METADATA_BYTES)
    throw invalid(`metadataUrl's document is larger than ${MAX_SP_METADATA_BYTES} bytes`);
  // Read no further than the cap, whatever Content-Length said (or did not say).
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_SP_METADATA_BYTES) {
      throw invalid(`metadataUrl's document is larger than ${MAX_SP_METADATA_BYTES} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  const body = Buffer.concat(chunks);
  return body.toString('utf8');
}

function invalid(detail: string): DomainError {
  return new DomainError('invalid_request', detail, { field: 'metadataUrl' });
}
