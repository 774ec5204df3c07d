import { SamlRequestRefused, type SamlRefusalReason } from '../saml-request-refused.js';

/** Runs `action` and returns the reason it was refused with; fails the test if it was not refused. */
export function refusalOf(action: () => unknown): SamlRefusalReason {
  try {
    action();
  } catch (error) {
    if (error instanceof SamlRequestRefused) return error.reason;
    throw error;
  }
  throw new Error('expected a SamlRequestRefused, nothing was thrown');
}
