// The relying-party SDK (spec §6.1, §6.4, §7): initiate from your backend, watch and verify in the browser.
// Runs in browsers and Node ≥ 20 alike: fetch, WebCrypto, jose and socket.io-client only — no node:* modules.
export { initiateLogin, type InitiateAnswer, type InitiateLoginOptions } from './initiate-login.js';
export { watchSession, type SessionOutcome, type WatchSessionOptions } from './watch-session.js';
export { verifyApproval, type Approval, type ApprovalExpectations, type VerifiedClaims } from './verify-approval.js';
export { approvalHashMatches, computeApprovalHash } from './approval-hash.js';
export { CLIENT_ASSERTION_TYPE, createClientAssertion, type ClientAssertionKey } from './client-assertion.js';
export { readSessionStatus, type RejectionReason, type SessionStatusAnswer } from './session-status.js';
export { IdTokenError, SessionVerificationError, type SessionVerificationCode } from './errors.js';
export type { FetchLike } from './http.js';
