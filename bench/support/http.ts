import { Agent, request } from 'node:http';

/** A refused or failed request: `kind` names it for the error tally (e.g. `initiate 429 rate_limited`). */
export class RequestFailed extends Error {
  override readonly name = 'RequestFailed';
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`${status} ${code}`);
  }
}

/**
 * Kept-alive connections shared by every simulated client. node:http rather than fetch: the clients run beside the
 * servers on the same cores, and fetch costs them several times the CPU per request (docs/performance.md).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POST a JSON body, read a JSON answer; an error answer (problem+json) becomes a RequestFailed with its code. */
export function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise<T>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': String(payload.length),
          accept: 'application/json',
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(new RequestFailed(status, problemCode(text)));
          try {
            resolve(JSON.parse(text) as T);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

/** The `code` of a problem+json answer; an answer that is not one is named by its status alone. */
function problemCode(text: string): string {
  try {
    return String((JSON.parse(text) as { code?: unknown }).code ?? 'unknown');
  } catch {
    return 'unknown';
  }
}
