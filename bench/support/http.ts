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

/** POST a JSON body, read a JSON answer; an error answer (problem+json) becomes a RequestFailed with its code. */
export async function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    let code = 'unknown';
    try {
      code = String((JSON.parse(text) as { code?: unknown }).code ?? code);
    } catch {
      // Not problem+json: the status alone names it.
    }
    throw new RequestFailed(response.status, code);
  }
  return JSON.parse(text) as T;
}
