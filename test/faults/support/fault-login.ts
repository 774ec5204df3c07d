import { setTimeout as delay } from 'node:timers/promises';
import type { BenchService, Phone } from '../../../bench/support/population.js';
import { watchSession, type PageEnd, type StartedSession } from './browser-page.js';
import { call, problemCode, type CallResult } from './http-call.js';

/** Which node each party talks to; the page and the phone move on to the next node when theirs is gone. */
export interface LoginRoute {
  /** The relying party's nodes, in order of preference: the next one when the first is not there. */
  initiate: string[];
  /** The page's nodes, in order of preference (its socket goes to the first). */
  page: string[];
  /** The phone's nodes, in order of preference. */
  verify: string[];
}

/** What the phone was told by its last `POST /auth/verify`. */
export type VerifyAnswer = { status: number; code?: string } | { status: 'none'; detail: string };

/** How one login ended, as its relying party and phone saw it. */
export interface LoginRecord {
  sessionId?: string;
  /** The relying party's view: the page's end, or the initiate refusal. */
  end: PageEnd | { kind: 'initiate-refused'; status: number; code: string };
  verify?: VerifyAnswer;
  /** `otp_ready` showed another code than the initiate answer's autoPassword. */
  otpMismatch?: boolean;
  /** The nodes the page opened a socket to again after its first one was refused, dropped or silent. */
  reconnects: string[];
  /** The page showed `otp_ready` before the phone answered. */
  otpShown?: boolean;
  /** Verify answers the phone retried after (5xx, or no node there), e.g. `503 service_unavailable`. */
  retried: string[];
}

/** How long the page waits past the session's expiry for its `expired` (the server's timer fires at expiry). */
const PAST_EXPIRY_MS = 25_000;
/** How long the phone keeps retrying a verify that found the server unable to answer (5xx, node gone). */
const VERIFY_RETRY_MS = 20_000;
/** How long the phone waits for the page to show the code before answering anyway (it has it by push). */
const OTP_WAIT_MS = 15_000;

/**
 * One whole login over real HTTP and WebSockets (spec §6.1, §6.2, §6.4), built to meet failures: every step has a
 * deadline, the phone retries a verify the server could not answer, the page falls back to polling and to another
 * node. Never throws: a step that gets no answer in time is recorded as an `undefined` end.
 */
export async function faultTolerantLogin(
  route: LoginRoute,
  service: BenchService,
  phone: Phone,
  options: { beforeVerify?: () => Promise<void> } = {},
): Promise<LoginRecord> {
  let initiated: CallResult | undefined;
  // A node that is not there (refused or reset connection) is skipped, as a load balancer would.
  for (const node of route.initiate) {
    initiated = await call(`${node}/auth/initiate`, {
      body: { tokenId: phone.device.tokenId, serviceId: service.serviceId, scopes: service.scopes },
      headers: { authorization: `Basic ${Buffer.from(`${service.serviceId}:${service.secret}`).toString('base64')}` },
    });
    if (initiated.answered || initiated.error === 'timeout') break;
  }
  if (!initiated) throw new Error('a route needs at least one node to initiate on');
  if (!initiated.answered) {
    return {
      end: { kind: 'undefined', detail: `initiate: ${initiated.error} ${initiated.detail}` },
      retried: [],
      reconnects: [],
    };
  }
  if (initiated.status !== 200) {
    const code = problemCode(initiated);
    return code
      ? { end: { kind: 'initiate-refused', status: initiated.status, code }, retried: [], reconnects: [] }
      : {
          end: { kind: 'undefined', detail: `initiate answered ${initiated.status} without a code` },
          retried: [],
          reconnects: [],
        };
  }
  const session = initiated.body as unknown as StartedSession;
  const record: LoginRecord = {
    sessionId: session.sessionId,
    end: { kind: 'undefined', detail: 'unfinished' },
    retried: [],
    reconnects: [],
  };

  let shown: (otp: string) => void = () => undefined;
  const otpShown = new Promise<string>((resolve) => (shown = resolve));
  const page = watchSession({
    nodes: route.page,
    session,
    origin: service.origin,
    onOtp: (otp) => {
      record.otpShown = true;
      if (otp !== session.autoPassword) record.otpMismatch = true;
      shown(otp);
    },
    onReconnect: (node) => record.reconnects.push(node),
    deadline: Date.parse(session.expiresAt) + PAST_EXPIRY_MS,
  });
  // The phone answers once the page shows the code (the user compares them), or after a while regardless.
  await Promise.race([otpShown, page, delay(OTP_WAIT_MS)]);
  await options.beforeVerify?.();
  record.verify = await verifyWithRetries(route.verify, phone, service, session, record.retried);
  record.end = await page;
  return record;
}

/** The phone's `POST /auth/verify`: retried on 5xx or a vanished node; a 4xx answer is final. */
async function verifyWithRetries(
  nodes: string[],
  phone: Phone,
  service: BenchService,
  session: StartedSession,
  retried: string[],
): Promise<VerifyAnswer> {
  const giveUp = Date.now() + VERIFY_RETRY_MS;
  let last: CallResult | undefined;
  for (let attempt = 0; ; attempt += 1) {
    const body = phone.login.verifyBody({ sessionId: session.sessionId, otp: session.autoPassword }, service.scopes);
    last = await call(`${nodes[attempt % nodes.length]}/auth/verify`, { body });
    if (last.answered && last.status < 500) return { status: last.status, code: problemCode(last) };
    if (!last.answered && last.error === 'timeout') return { status: 'none', detail: 'verify: no answer in time' };
    if (Date.now() > giveUp) break;
    retried.push(last.answered ? `${last.status} ${problemCode(last) ?? ''}`.trim() : last.error);
    await delay(1_000);
  }
  return last.answered
    ? { status: last.status, code: problemCode(last) }
    : { status: 'none', detail: `verify: ${last.detail}` };
}
