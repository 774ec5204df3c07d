import { INTERACTION_PATH } from '#idtoken/oidc';
import { postJson } from './http.js';
import { pageReader, type BrowserPage } from './oidc-browser.js';
import type { Interaction } from './oidc-code-flow.js';
import { FlowFailure, flowStep } from './oidc-failure.js';
import type { OidcRelyingParty } from './oidc-relying-party.js';
import { SessionChannel } from './oidc-session-channel.js';
import type { Phone } from './population.js';

export interface IdTokenInteractionContext {
  /** Where the IdP listens: the phone and the page's socket connect here. */
  baseUrl: string;
  rp: OidcRelyingParty;
  /** What the phone grants: every identity scope the session asks for (those behind the client's OIDC scopes). */
  grantedScopes: string[];
}

/**
 * The IdP's interaction (libs/oidc/src/interaction) walked as a user with the phone does it:
 *  1. the sign-in page, its identifier prefilled from `login_hint`, submitted with its CSRF token: this starts the
 *     X.1280 session (spec §6.1, on behalf of the client) and redirects to the waiting page with the code;
 *  2. the waiting page's script: the `/session` socket, until `otp_ready` (it polls the status only when the socket
 *     is refused or lost, or after 5 s as a safety net — later than the phone answers here);
 *  3. the phone signs `sessionId|otp|timestamp|scopes` and posts `POST /auth/verify` (spec §6.2) — it uses the
 *     session and code the page shows, as the push would bring them (bench:login does the same);
 *  4. `approved` on the socket, the script's status check, then `complete`: the interaction ends with the Grant and
 *     oidc-provider sends the browser back to the client with the code.
 */
export function idTokenInteraction(context: IdTokenInteractionContext, phone: Phone): Interaction {
  const pageOrigin = new URL(context.rp.provider.issuer).origin;
  return {
    path: `${INTERACTION_PATH}/`,
    async run(browser, interactionUrl) {
      const signIn = await flowStep('sign-in page', () => browser.visit(interactionUrl));
      if (signIn.status !== 200) throw new FlowFailure(`sign-in page ${signIn.status}`);
      const csrf = pageReader.input(signIn.body, 'csrf');
      const action = pageReader.formAction(signIn.body, '/login');
      const identifier = pageReader.input(signIn.body, 'tokenId');
      if (!csrf || !action) throw new FlowFailure('sign-in page without its form');
      if (!identifier || identifier !== phone.device.tokenId) throw new FlowFailure('sign-in page lost the login_hint');

      const waiting = await flowStep('identifier', () =>
        browser.submit(new URL(action, signIn.url), { csrf, tokenId: identifier }, (url) => context.rp.isCallback(url)),
      );
      if (waiting.status !== 200 || !waiting.url.pathname.endsWith('/wait')) throw identifierRefused(waiting);
      const session = waitingPage(waiting);

      // With its socket up, the script reads the status only as a safety net, first after 5 s: the phone answers
      // before that here.
      const channel = new SessionChannel(context.baseUrl, session, pageOrigin);
      try {
        await channel.next('otp_ready');

        // spec §6.2: granted = every scope the session asked for.
        const body = phone.login.verifyBody({ sessionId: session.sessionId, otp: session.otp }, context.grantedScopes);
        const answer = await flowStep('verify', () =>
          postJson<{ status: string }>(`${context.baseUrl}/auth/verify`, body),
        );
        if (answer.status !== 'approved') throw new FlowFailure(`verify answered ${answer.status}`);
        await channel.next('approved');
      } finally {
        channel.close();
      }

      expectStatus(await flowStep('status', () => browser.readJson(session.statusUrl)), 'approved');
      const back = await flowStep('complete', () =>
        browser.visit(session.completeUrl, (url) => context.rp.isCallback(url)),
      );
      if (!context.rp.isCallback(back.url)) throw new FlowFailure(`complete ${back.status} at ${back.url.pathname}`);
      return back.url;
    },
  };
}

/** What the waiting page carries for its script and shows the user (libs/oidc/src/interaction/pages.ts). */
function waitingPage(page: BrowserPage) {
  const read = (name: string) => {
    const value = pageReader.data(page.body, name);
    if (!value) throw new FlowFailure(`waiting page without data-${name}`);
    return value;
  };
  const otp = pageReader.textOf(page.body, 'otp');
  if (!otp || !/^\d{6}$/.test(otp)) throw new FlowFailure('waiting page without the code');
  return {
    sessionId: read('session-id'),
    wsToken: read('ws-token'),
    statusUrl: new URL(read('status-url'), page.url),
    completeUrl: new URL(read('complete-url'), page.url),
    otp,
  };
}

function identifierRefused(page: BrowserPage): FlowFailure {
  const shown = pageReader.textOf(page.body, 'error');
  return new FlowFailure(`identifier ${page.status}${shown ? ` "${shown}"` : ` at ${page.url.pathname}`}`);
}

function expectStatus(answer: { status: number; body: unknown }, expected: string): void {
  const status = (answer.body as { status?: unknown } | undefined)?.status;
  if (answer.status !== 200 || status !== expected) {
    throw new FlowFailure(`status ${answer.status} ${String(status)} (expected ${expected})`);
  }
}
