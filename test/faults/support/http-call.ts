/** What one HTTP call ended in: an answer (status, JSON body), or no answer at all. */
export type CallResult =
  | { answered: true; status: number; body: Record<string, unknown> }
  | { answered: false; error: 'timeout' | 'network'; detail: string };

/** How long a client waits for any one answer before it calls the server hung. */
export const ANSWER_TIMEOUT_MS = 20_000;

/** A JSON request with a deadline; never throws. */
export async function call(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  try {
    const response = await fetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        accept: 'application/json, application/problem+json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { unparsed: text.slice(0, 200) };
    }
    return { answered: true, status: response.status, body };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const detail = error instanceof Error ? `${error.message} ${String(error.cause ?? '')}`.trim() : String(error);
    return { answered: false, error: name === 'TimeoutError' ? 'timeout' : 'network', detail };
  }
}

/** An error answer is clear when it is problem+json with the protocol's machine-readable `code`. */
export function problemCode(result: CallResult): string | undefined {
  return result.answered && typeof result.body.code === 'string' ? result.body.code : undefined;
}
