/** An error answer of the IDToken server: RFC 9457 problem+json with the protocol's `code`. */
export class ServerError extends Error {
  override readonly name = 'ServerError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly problem: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

/** Minimal JSON-over-HTTP client for the IDToken REST API (PROTOCOL.md). */
export class IdTokenClient {
  constructor(
    readonly baseUrl: string,
    private readonly bearer?: string,
  ) {}

  withBearer(bearer: string): IdTokenClient {
    return new IdTokenClient(this.baseUrl, bearer);
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }

  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('DELETE', path, body);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const problem = (parsed ?? {}) as Record<string, unknown>;
      throw new ServerError(
        response.status,
        String(problem.code ?? 'unknown'),
        String(problem.detail ?? text),
        problem,
      );
    }
    return parsed as T;
  }
}
