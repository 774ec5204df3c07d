import { IdTokenError } from './errors.js';

/** `fetch` as the SDK calls it; pass your own to add headers, a proxy agent or test doubles. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** `{baseUrl}{path}`, keeping any path prefix of baseUrl (new URL(path, base) would drop it). */
export function endpoint(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

/** RFC 7617 Basic credentials, UTF-8, without Node's Buffer. */
export function basicAuthorization(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/** The body of a 2xx JSON answer, or an IdTokenError carrying the problem of any other. */
export async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (response.ok) return JSON.parse(text) as T;
  throw problemError(response, text);
}

function problemError(response: Response, text: string): IdTokenError {
  let problem: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      problem = parsed as Record<string, unknown>;
    }
  } catch {
    // Not problem+json (a proxy's error page, say): the status alone still tells the caller something.
  }
  const text_ = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  return new IdTokenError({
    status: response.status,
    code: text_(problem.code, 'http_error'),
    title: text_(problem.title, response.statusText),
    detail: text_(problem.detail, text.slice(0, 200)),
    retryAfter: retryAfterSeconds(response.headers.get('retry-after')),
    problem,
  });
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
function retryAfterSeconds(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
