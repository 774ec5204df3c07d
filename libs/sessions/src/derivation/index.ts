export { approvalHash } from './approval-hash.js';
export { deriveOtp } from './otp.js';
export { otpMatches } from './otp-matches.js';
export { pairwiseSubject } from './pairwise-subject.js';
export { newSessionId } from './session-id.js';
export { newSessionRandom } from './session-random.js';
export { deriveWsToken } from './ws-token.js';
