import { RequestFailed } from './http.js';

/** A code flow that did not end with a checked ID token and a userinfo answer; `kind` groups it in the tally. */
export class FlowFailure extends Error {
  override readonly name = 'FlowFailure';
  constructor(readonly kind: string) {
    super(kind);
  }
}

/** Runs one step of a flow; whatever it throws becomes a FlowFailure named after the step. */
export async function flowStep<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FlowFailure) throw error;
    if (error instanceof RequestFailed) throw new FlowFailure(`${name} ${error.status} ${error.code}`);
    throw new FlowFailure(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The tally name of any error a flow ended with. */
export function failureKind(error: unknown): string {
  return error instanceof FlowFailure ? error.kind : `unexpected: ${String(error)}`;
}
