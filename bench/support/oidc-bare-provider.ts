import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import Provider, { type Configuration } from 'oidc-provider';
import type { Interaction } from './oidc-code-flow.js';
import { FlowFailure, flowStep } from './oidc-failure.js';
import { createMemoryAdapter } from './oidc-memory-adapter.js';
import type { OidcClientRegistration } from './oidc-relying-party.js';

/** A plain oidc-provider on loopback: the reference the IdP's OIDC facade is compared with. */
export interface BareProvider {
  /** e.g. http://127.0.0.1:41235 — also its issuer. */
  baseUrl: string;
  client: OidcClientRegistration;
  /** oidc-provider's version, for the report. */
  version: string;
  close(): Promise<void>;
}

const INTERACTION_PREFIX = '/interaction/';

/** The claims of the one account behind every `login_hint`: what `profile` releases, from nowhere. */
const HOLDER_CLAIMS = { given_name: 'Ada', family_name: 'Lovelace', birthdate: '1815-12-10' };

/**
 * The bare reference (issue 10): oidc-provider with what a code flow needs and nothing of IDToken — a node:http
 * server, Maps for storage, one confidential client (client_secret_basic, ES256 ID tokens), PKCE required, and an
 * interaction that logs in the `login_hint` at once and grants the requested scopes. No database, no phone.
 */
export async function startBareProvider(client: Omit<OidcClientRegistration, 'clientSecret'>): Promise<BareProvider> {
  let handle: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => {
    response.statusCode = 503;
    response.end();
  };
  const server = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') {
    server.close();
    throw new Error('the bare provider has no TCP address');
  }
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const storage = createMemoryAdapter();
  const registration = { ...client, clientSecret: randomBytes(32).toString('base64url') };
  let provider: Provider;
  try {
    provider = new Provider(baseUrl, configuration(registration, storage.Adapter));
  } catch (error) {
    storage.close();
    server.close();
    throw error;
  }
  const callback = provider.callback();

  handle = (request, response) => {
    if (request.url?.startsWith(INTERACTION_PREFIX)) {
      trivialInteraction(provider, request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`interaction failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      return;
    }
    void callback(request, response);
  };

  return {
    baseUrl,
    client: registration,
    version: String((createRequire(import.meta.url)('oidc-provider/package.json') as { version: unknown }).version),
    async close() {
      storage.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Logs in the `login_hint` and grants exactly the requested scopes, in one answer (no page). */
async function trivialInteraction(provider: Provider, request: IncomingMessage, response: ServerResponse) {
  const details = await provider.interactionDetails(request, response);
  const params = details.params as Record<string, unknown>;
  const accountId = String(params.login_hint);
  const grant = new provider.Grant({ accountId, clientId: String(params.client_id) });
  grant.addOIDCScope(String(params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(
    request,
    response,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

function configuration(
  client: OidcClientRegistration,
  adapter: ReturnType<typeof createMemoryAdapter>['Adapter'],
): Configuration {
  const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return {
    adapter,
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [client.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'bare-es256', alg: 'ES256', use: 'sig' }] } as Configuration['jwks'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: ['openid', 'profile'],
    claims: { openid: ['sub'], profile: Object.keys(HOLDER_CLAIMS) },
    findAccount: (_ctx, accountId) => ({
      accountId,
      claims: () => ({ sub: accountId, ...HOLDER_CLAIMS }),
    }),
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PREFIX}${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clientBasedCORS: () => false,
    // The IdP's lifetimes (libs/oidc), so both keep the same state alive.
    ttl: {
      AccessToken: 300,
      AuthorizationCode: 60,
      IdToken: 300,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 14 * 24 * 3600,
    },
    renderError: (ctx, out) => {
      ctx.type = 'text';
      ctx.body = `${out.error}: ${out.error_description ?? ''}`;
    },
  };
}

/** The bare provider's interaction: one GET that answers with the redirect back to the authorization. */
export function bareInteraction(isCallback: (url: URL) => boolean): Interaction {
  return {
    path: INTERACTION_PREFIX,
    async run(browser, interactionUrl) {
      const back = await flowStep('interaction', () => browser.visit(interactionUrl, isCallback));
      if (!isCallback(back.url)) throw new FlowFailure(`interaction ${back.status} at ${back.url.pathname}`);
      return back.url;
    },
  };
}
