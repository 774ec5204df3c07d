import { ATOMIC_SCOPES, type AtomicScope } from './atomic-scopes.js';
import { COMPOSITE_SCOPES, type CompositeScope } from './composite-scopes.js';

/** Every scope a request may name (spec §7): a closed union, so a typo fails to compile. */
export type Scope = AtomicScope | CompositeScope;

/** All scopes, atomic first, each group in catalogue order (for OpenAPI enums and admin validation). */
export const ALL_SCOPES: readonly Scope[] = [
  ...(Object.keys(ATOMIC_SCOPES) as AtomicScope[]),
  ...(Object.keys(COMPOSITE_SCOPES) as CompositeScope[]),
];

const KNOWN: ReadonlySet<string> = new Set(ALL_SCOPES);

// Object.hasOwn, not `in`: `'toString' in ATOMIC_SCOPES` is true.
export const isScope = (value: string): value is Scope => KNOWN.has(value);
export const isAtomicScope = (value: string): value is AtomicScope => Object.hasOwn(ATOMIC_SCOPES, value);
export const isCompositeScope = (value: string): value is CompositeScope => Object.hasOwn(COMPOSITE_SCOPES, value);

/** The one-line human description of a scope, for consent screens and OpenAPI. */
export function describeScope(scope: Scope): string {
  return isCompositeScope(scope) ? COMPOSITE_SCOPES[scope].description : ATOMIC_SCOPES[scope].description;
}
