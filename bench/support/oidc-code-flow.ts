import { performance } from 'node:perf_hooks';
import { BenchBrowser } from './oidc-browser.js';
import { FlowFailure, flowStep } from './oidc-failure.js';
import type { OidcRelyingParty } from './oidc-relying-party.js';

/** Milliseconds each part of one successful code flow took. */
export interface FlowTimings {
  /** GET the authorization endpoint → its redirect to the interaction. */
  authorizeMs: number;
  /** The interaction's first page → the browser's redirect back to the client with `code` (the provider's part). */
  interactionMs: number;
  /** The token request and the ID token's checks. */
  tokenMs: number;
  /** GET userinfo and its checks. */
  userinfoMs: number;
  /** Authorization request sent → userinfo checked. */
  endToEndMs: number;
}

/** The provider's own part of the flow: from its interaction URL to the redirect back to the client. */
export interface Interaction {
  /** Where the provider sends the browser to log in (a path prefix). */
  path: string;
  /** Walks the interaction in `browser` and returns the callback URL the browser was sent to (not fetched). */
  run(browser: BenchBrowser, interactionUrl: URL): Promise<URL>;
}

/** The user of one flow: who logs in, and what their browser adds to each request. */
export interface FlowUser {
  loginHint: string;
  headers?: Record<string, string>;
}

/**
 * One whole authorization code flow in a new browser (no session cookie, so the provider must log the user in):
 * the authorization request, the provider's interaction, the callback's checks, the token request with the ID token
 * checked, and userinfo. Every check that fails throws a FlowFailure naming it.
 */
export async function runCodeFlow(
  rp: OidcRelyingParty,
  user: FlowUser,
  interaction: Interaction,
): Promise<FlowTimings> {
  const started = performance.now();
  const pending = rp.authorizationRequest(user.loginHint);
  const browser = new BenchBrowser({ hosts: rp.hosts, headers: user.headers });
  const atInteraction = (url: URL) => url.pathname.startsWith(interaction.path);
  const authorized = await flowStep('authorize', () =>
    browser.visit(pending.url, (url) => atInteraction(url) || rp.isCallback(url)),
  );
  if (rp.isCallback(authorized.url)) {
    rp.codeOf(authorized.url, pending);
    throw new FlowFailure('authorization skipped the interaction');
  }
  if (!atInteraction(authorized.url)) throw new FlowFailure(`authorize ${authorized.status}`);
  const interactionStarted = performance.now();

  const callback = await interaction.run(browser, authorized.url);
  const code = rp.codeOf(callback, pending);
  const codeReceived = performance.now();

  const tokens = await flowStep('token', () => rp.redeem(code, pending));
  const redeemed = performance.now();
  await flowStep('userinfo', () => rp.userinfo(tokens.accessToken, tokens.subject));
  const finished = performance.now();
  return {
    authorizeMs: interactionStarted - started,
    interactionMs: codeReceived - interactionStarted,
    tokenMs: redeemed - codeReceived,
    userinfoMs: finished - redeemed,
    endToEndMs: finished - started,
  };
}
