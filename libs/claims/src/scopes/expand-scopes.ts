import { COMPOSITE_SCOPES } from './composite-scopes.js';
import type { AtomicScope } from './atomic-scopes.js';
import { isCompositeScope, type Scope } from './scope-catalogue.js';

/**
 * The atomic scopes a list stands for, composites expanded (spec §7), each once, sorted ascending by code unit
 * (not locale) so that the same grant always compares and prints the same way.
 */
export function expandScopes(scopes: readonly Scope[]): AtomicScope[] {
  const atomic = new Set<AtomicScope>();
  for (const scope of scopes) {
    if (isCompositeScope(scope)) COMPOSITE_SCOPES[scope].atomicScopes.forEach((each) => atomic.add(each));
    else atomic.add(scope);
  }
  return [...atomic].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Whether `granted` releases nothing that `ceiling` does not, compared after expansion: `identity:name` is within
 * `identity:basic`, and `identity:full` is not within `identity:basic`. Used for scope inflation (a grant wider than
 * the request) and for a service's allowedScopes.
 */
export function isSubset(granted: readonly Scope[], ceiling: readonly Scope[]): boolean {
  const allowed = new Set(expandScopes(ceiling));
  return expandScopes(granted).every((scope) => allowed.has(scope));
}
