// The X.1280 session context (spec §6): derivations, the session store, initiate / verify / deny and polling.
export * from './derivation/index.js';
export { SessionsModule } from './sessions.module.js';
export { OriginCheckingIoAdapter, SessionOrigins } from './channels/index.js';
export { allowBrowserOnlyServices } from './http/browser-cors.js';
export { SessionService } from './session.service.js';
export { SessionLifecycle } from './session-lifecycle.js';
export { SESSION_EVENTS_CHANNEL, SessionStore } from './session.store.js';
export type { SessionApproval, SessionEvent, SessionStatus, RejectionReason } from './session-record.js';
export type { InitiateAnswer } from './initiate/initiate-answer.js';
export type { SessionStatusAnswer } from './status/session-status.js';
export { SESSION_AMR as SESSION_AMR_VALUES } from './token/session-token-claims.js';
