import { identityScopesFor } from '#idtoken/oidc';
import { postJson } from './http.js';
import { runCodeFlow } from './oidc-code-flow.js';
import { idTokenInteraction } from './oidc-idtoken-interaction.js';
import type { FlowRunner } from './oidc-phase.js';
import { OidcRelyingParty, type OidcClientRegistration } from './oidc-relying-party.js';
import type { Phone } from './population.js';

/** What every flow of both phases asks for: OIDC Core's `profile`, which the IdP asks the phone for as identity scopes. */
export const OIDC_SCOPE = 'openid profile';
/** The client's one redirect URI; the browser stops there and hands the URL to the relying party (never fetched). */
export const REDIRECT_URI = 'https://rp.example/callback';

const CLIENT_ID = 'bench-oidc-rp';
const TRUSTING_POOL = 4;

/**
 * The IdP's OIDC client, registered as the tests do (admin API, `POST /admin/services` with `oidc` settings):
 * confidential (client_secret_basic, the service's secret), pairwise subjects, `requireTrust` as by default — so
 * every phone trusts it (`POST /devices/trust`, signed) before the timed phase. Returns the relying party, after
 * discovery and the JWKS.
 */
export async function registerIdTokenClient(baseUrl: string, adminKey: string, phones: Phone[]) {
  const identityScopes = identityScopesFor(OIDC_SCOPE.split(' '));
  const created = await postJson<{ serviceSecret: string }>(
    `${baseUrl}/admin/services`,
    {
      serviceId: CLIENT_ID,
      name: 'Benchmark OIDC client',
      url: new URL(REDIRECT_URI).origin,
      allowedScopes: identityScopes,
      defaultScopes: identityScopes,
      oidc: { redirectUris: [REDIRECT_URI] },
    },
    { authorization: `Bearer ${adminKey}` },
  );
  const vds = await fetch(`${baseUrl}/services/${CLIENT_ID}/vds`);
  if (!vds.ok) throw new Error(`the Service VDS of ${CLIENT_ID}: ${vds.status}`);
  const { serviceVds } = (await vds.json()) as { serviceVds: string };
  for (let first = 0; first < phones.length; first += TRUSTING_POOL) {
    await Promise.all(phones.slice(first, first + TRUSTING_POOL).map((phone) => phone.device.trustService(serviceVds)));
  }
  const client: OidcClientRegistration = {
    clientId: CLIENT_ID,
    clientSecret: created.serviceSecret,
    redirectUri: REDIRECT_URI,
    scope: OIDC_SCOPE,
  };
  return { rp: await OidcRelyingParty.discover(baseUrl, client), identityScopes };
}

/**
 * Worker `i` signs in as phone `i mod N`'s holder (its tokenId as `login_hint`), from an address of its own as the
 * IdP's trusted proxy would forward it, and approves on that phone.
 */
export function idTokenFlows(
  context: { baseUrl: string; rp: OidcRelyingParty; identityScopes: string[] },
  phones: Phone[],
): FlowRunner {
  return async (worker) => {
    const phone = phones[worker % phones.length];
    const tokenId = phone?.device.tokenId;
    if (!phone || !tokenId) throw new Error('no enrolled phone for this worker');
    const interaction = idTokenInteraction(
      { baseUrl: context.baseUrl, rp: context.rp, grantedScopes: context.identityScopes },
      phone,
    );
    const user = {
      loginHint: tokenId,
      headers: { 'x-forwarded-for': `10.${(worker >> 16) & 255}.${(worker >> 8) & 255}.${worker & 255}` },
    };
    return runCodeFlow(context.rp, user, interaction);
  };
}
