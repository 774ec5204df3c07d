/**
 * spec §6.2: the device signs `sessionId|otp|timestamp|grantedScopes sorted ascending and joined with ","` (empty
 * when none). Sorted by code unit, as every implementation sorts ASCII scope names the same way.
 */
export function verifyMessage(
  sessionId: string,
  otp: string,
  timestamp: number,
  grantedScopes: readonly string[],
): string {
  const scopes = [...grantedScopes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',');
  return `${sessionId}|${otp}|${timestamp}|${scopes}`;
}
