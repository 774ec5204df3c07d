import { IdTokenError } from './errors.js';
import { endpoint, readJson, type FetchLike } from './http.js';

export type RejectionReason = 'denied' | 'too_many_attempts' | 'revoked';

/** spec §6.4 fallback answer of `GET /auth/sessions/{sessionId}`. */
export interface SessionStatusAnswer {
  status: 'pending' | 'approved' | 'rejected' | 'expired';
  reason?: RejectionReason;
  jwt?: string;
  hash?: string;
  random?: string;
}

/** spec §6.4 fallback: one read of the session's state, with `Authorization: Bearer <wsToken>`. */
export async function readSessionStatus(
  baseUrl: string,
  sessionId: string,
  wsToken: string,
  send: FetchLike,
  signal?: AbortSignal,
): Promise<SessionStatusAnswer> {
  const response = await send(endpoint(baseUrl, `/auth/sessions/${encodeURIComponent(sessionId)}`), {
    method: 'GET',
    headers: { authorization: `Bearer ${wsToken}`, accept: 'application/json, application/problem+json' },
    signal,
  });
  return readJson<SessionStatusAnswer>(response);
}

/** Gives up after this many failed reads in a row (network down, 5xx, 429). */
export const MAX_CONSECUTIVE_POLL_FAILURES = 10;

/**
 * Reads the status every `intervalMs` until it is no longer `pending`, then hands over the answer. Transient
 * failures (network, 5xx, 429 — honouring Retry-After) are retried; a problem answer such as `404
 * session_not_found` (unknown session or wrong wsToken) ends the polling with that error.
 */
export function startPolling(parameters: {
  read: (signal: AbortSignal) => Promise<SessionStatusAnswer>;
  intervalMs: number;
  onSettled: (answer: SessionStatusAnswer) => void;
  onError: (error: unknown) => void;
}): { stop(): void } {
  const inFlight = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  const next = (delayMs: number): void => {
    timer = setTimeout(() => void readOnce(), delayMs);
  };
  const readOnce = async (): Promise<void> => {
    let answer: SessionStatusAnswer;
    try {
      answer = await parameters.read(inFlight.signal);
    } catch (error) {
      if (inFlight.signal.aborted) return;
      failures += 1;
      if (!isTransient(error) || failures >= MAX_CONSECUTIVE_POLL_FAILURES) return parameters.onError(error);
      const retryAfterMs = error instanceof IdTokenError ? (error.retryAfter ?? 0) * 1000 : 0;
      return next(Math.max(parameters.intervalMs, retryAfterMs));
    }
    if (inFlight.signal.aborted) return;
    failures = 0;
    if (answer.status === 'pending') return next(parameters.intervalMs);
    parameters.onSettled(answer);
  };
  void readOnce();
  return {
    stop() {
      clearTimeout(timer);
      inFlight.abort();
    },
  };
}

function isTransient(error: unknown): boolean {
  if (error instanceof IdTokenError) return error.status >= 500 || error.status === 429;
  // fetch rejects with a TypeError when the network fails; a garbled 200 body is a SyntaxError.
  return error instanceof TypeError || error instanceof SyntaxError;
}
