import { Injectable, Logger } from '@nestjs/common';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { DataSource } from 'typeorm';
import { EnrollmentRepository } from '#idtoken/enrollment';
import { Rs256TokenKeys, TokenKeys } from '#idtoken/keys';
import { AppConfig, DomainError, EphemeralStore, deriveKey, pageHeaders } from '#idtoken/platform';
import { AccountLinks } from '#idtoken/accounts';
import { ServiceRegistry, ServiceSecrets } from '#idtoken/services';
import { pairwiseSubject } from '#idtoken/sessions';
import { EPHEMERAL_OIDC_KINDS, createOidcAdapter } from './adapter/typeorm-oidc.adapter.js';
import { oidcClaimsOfHolder } from './oidc-account.js';
import { ID_TOKEN_CLAIMS, clientMetadataOf } from './oidc-clients.js';
import { OIDC_CLAIM_NAMES_RELEASED, OIDC_SCOPES, emailReleasable, oidcClaimsConfiguration } from './oidc-scopes.js';
import { OIDC_ROUTES, INTERACTION_PATH } from './oidc-routes.js';
import { logoutPage, renderOidcError, signedOutPage } from './interaction/pages.js';
import { OidcCiba } from './ciba/oidc-ciba.js';

/** spec §7 `acr` values, from the enrollment's trust level. */
export const ACR_VALUES = ['http://eidas.europa.eu/LoA/substantial', 'http://eidas.europa.eu/LoA/high'];

/**
 * Holds the oidc-provider instance of this node. oidc-provider takes its signing keys at construction, so the
 * instance is rebuilt when the key service starts signing with another key (a rotation, seen by every node within
 * the key cache's 30 s); verifiers read all published keys from /.well-known/jwks.json, which discovery names.
 */
@Injectable()
export class OidcProviderHost {
  private readonly logger = new Logger('OidcProvider');
  private current: { kid: string; provider: Provider } | undefined;
  private building: Promise<Provider> | undefined;
  private outboundFetch: typeof fetch | undefined;
  private readonly clientMetadataByService = new WeakMap<object, Readonly<Record<string, unknown>> | undefined>();

  constructor(
    private readonly config: AppConfig,
    private readonly keys: TokenKeys,
    private readonly rsaKeys: Rs256TokenKeys,
    private readonly dataSource: DataSource,
    private readonly services: ServiceRegistry,
    private readonly secrets: ServiceSecrets,
    private readonly enrollments: EnrollmentRepository,
    private readonly ciba: OidcCiba,
    private readonly links: AccountLinks,
    private readonly store: EphemeralStore,
  ) {
    ciba.attach(() => this.provider());
  }

  /** The provider signing with the current keys (ES256 by default, RS256 for clients that need it). */
  async provider(): Promise<Provider> {
    const kid = await this.signingKids();
    if (this.current?.kid === kid) return this.current.provider;
    this.building ??= this.build().finally(() => (this.building = undefined));
    return this.building;
  }

  /**
   * The fetch oidc-provider uses for its own outbound calls (back-channel logout, CIBA pings, request_uri): an egress
   * proxy or a private CA in production, a test's trusted local peer. Takes effect for the next provider built.
   */
  useOutboundFetch(outbound: typeof fetch): void {
    this.outboundFetch = outbound;
    this.current = undefined;
  }

  private async signingKids(): Promise<string> {
    const [es256, rs256] = await Promise.all([this.keys.signingKey(), this.rsaKeys.signingKey()]);
    return `${es256.kid} ${rs256.kid}`;
  }

  private async build(): Promise<Provider> {
    const kid = await this.signingKids();
    const keys = await Promise.all(
      [this.keys.signingKey(), this.rsaKeys.signingKey()].map(async (pending) => {
        const key = await pending;
        return { ...key.privateKey.export({ format: 'jwk' }), kid: key.kid, alg: key.algorithm, use: 'sig' };
      }),
    );
    const provider = new Provider(this.config.issuerUrl, this.configuration(keys));
    // mountOidc rewrites Host and X-Forwarded-* from ISSUER_URL and Fastify's TRUST_PROXY-aware client IP before
    // any request reaches oidc-provider, so these headers are ours, never a caller's.
    provider.proxy = true;
    provider.on('server_error', (_ctx, error) => this.logger.error(`oidc-provider: ${error.message}`, error.stack));
    // CIBA: the session's code goes back to the client as binding_code, for the user to compare with the phone.
    provider.use(async (ctx, next) => {
      await next();
      const body = ctx.body as { auth_req_id?: unknown } | undefined;
      if (ctx.oidc?.route === 'backchannel_authentication' && typeof body?.auth_req_id === 'string') {
        const bindingCode = await this.ciba.bindingCode(body.auth_req_id);
        if (bindingCode) ctx.body = { ...body, binding_code: bindingCode };
      }
    });
    this.current = { kid, provider };
    return provider;
  }

  private configuration(keys: Record<string, unknown>[]): Configuration {
    const master = this.config.masterSecret;
    const https = this.config.issuerUrl.startsWith('https://');
    return {
      ...(this.outboundFetch ? { fetch: this.outboundFetch as Configuration['fetch'] } : {}),
      adapter: createOidcAdapter(this.dataSource, {
        clientFinder: (id) => this.clientMetadata(id),
        ephemeral: { store: this.store, kinds: EPHEMERAL_OIDC_KINDS },
      }),
      jwks: { keys } as Configuration['jwks'],
      routes: OIDC_ROUTES,
      scopes: [...OIDC_SCOPES],
      claims: oidcClaimsConfiguration() as Configuration['claims'],
      acrValues: ACR_VALUES,
      subjectTypes: ['public', 'pairwise'],
      // spec §7's pairwise subject, with the client_id as serviceId: the same RP sees the same sub via either API.
      pairwiseIdentifier: (_ctx, accountId, client) => pairwiseSubject(master, client.clientId, accountId),
      responseTypes: ['code'],
      // S256 only (oidc-provider never accepts plain); required for public clients.
      pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
      clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'],
      enabledJWA: {
        clientAuthSigningAlgValues: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA', 'HS256'],
        idTokenSigningAlgValues: ['ES256', 'RS256'],
        userinfoSigningAlgValues: ['ES256', 'RS256'],
        requestObjectSigningAlgValues: ['HS256', 'ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'],
      },
      clientDefaults: {
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
        token_endpoint_auth_method: 'client_secret_basic',
      },
      extraClientMetadata: { properties: [ID_TOKEN_CLAIMS] },
      allowOmittingSingleRegisteredRedirectUri: false,
      // Browser calls (a public client's token request) only from the origins of the client's redirect URIs.
      clientBasedCORS: (_ctx, origin, client) =>
        client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
      // Claims go where each client's setting says (findAccount), not where OIDC Core's default would put them.
      conformIdTokenClaims: false,
      findAccount: (ctx, accountId) => this.account(ctx, accountId),
      features: {
        devInteractions: { enabled: false },
        claimsParameter: { enabled: true },
        // A client introspects and revokes only the tokens issued to it.
        introspection: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
        revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
        userinfo: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          logoutSource: (ctx, form) => {
            ctx.set(pageHeaders());
            ctx.type = 'html';
            ctx.body = logoutPage(form, ctx.get('accept-language'));
          },
          postLogoutSuccessSource: (ctx) => {
            ctx.set(pageHeaders());
            ctx.type = 'html';
            ctx.body = signedOutPage(ctx.get('accept-language'));
          },
        },
        backchannelLogout: { enabled: true },
        // JAR (RFC 9101): signed request objects, HS256 keyed by the client secret as Okta sends them, or a key.
        requestObjects: { enabled: true, requireSignedRequestObject: false },
        // PAR (RFC 9126), optional per request.
        pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
        ciba: {
          enabled: true,
          deliveryModes: ['poll', 'ping'],
          processLoginHint: (ctx, loginHint) => this.ciba.processLoginHint(ctx, loginHint),
          processLoginHintToken: () => {
            throw new errors.InvalidRequest('login_hint_token is not supported; send login_hint');
          },
          validateRequestContext: () => undefined,
          // The phone shows IDToken's own code (returned as binding_code); a client's message is checked, not shown.
          validateBindingMessage: (_ctx, message) => {
            if (message !== undefined && !/^[\p{L}\p{N}\p{P}\p{Zs}]{1,64}$/u.test(message)) {
              throw new errors.InvalidBindingMessage('binding_message must be 1 to 64 printable characters');
            }
          },
          verifyUserCode: () => undefined,
          triggerAuthenticationDevice: (ctx, request, account, client) =>
            this.ciba.triggerAuthenticationDevice(ctx, request, account, client),
        },
      },
      issueRefreshToken: async (_ctx, client, code) =>
        client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
      rotateRefreshToken: true,
      ttl: {
        AccessToken: 300,
        AuthorizationCode: 60,
        IdToken: 300,
        Interaction: 600,
        Session: 8 * 3600,
        Grant: 14 * 24 * 3600,
        RefreshToken: 14 * 24 * 3600,
        // A CIBA request lives as long as the X.1280 session behind it (spec §6.1: 60 s), or less if asked.
        BackchannelAuthenticationRequest: (ctx) => {
          const requested = Number(ctx?.oidc.params?.requested_expiry);
          return Number.isInteger(requested) && requested > 0 ? Math.min(requested, 60) : 60;
        },
      },
      cookies: {
        keys: [deriveKey(master, 'IDToken/v1/oidc-cookies').toString('base64url')],
        long: { secure: https, sameSite: 'lax' },
        short: { secure: https, sameSite: 'lax' },
      },
      interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
      renderError: (ctx, out) => {
        ctx.set(pageHeaders());
        ctx.type = 'html';
        ctx.body = renderOidcError(out, ctx.get('accept-language'));
      },
    };
  }

  /**
   * A client's metadata, asked for by most oidc-provider requests. Built once per service object: the active
   * services in memory (libs/services) hand out the same frozen object until the service changes, and a changed
   * service is a new object — so the secret is unsealed once per change, not once per request.
   */
  private async clientMetadata(clientId: string): Promise<Record<string, unknown> | undefined> {
    const service = await this.services.getActive(clientId).catch(() => undefined);
    if (!service) return undefined;
    if (this.clientMetadataByService.has(service)) return this.clientMetadataByService.get(service);
    const built = clientMetadataOf(service, this.secrets.reveal(service));
    const metadata = built && Object.freeze(built);
    if (Object.isFrozen(service)) this.clientMetadataByService.set(service, metadata);
    return metadata;
  }

  private async activeHolder(tokenId: string) {
    try {
      return await this.enrollments.requireActive(tokenId);
    } catch (error) {
      // enrollment_not_found, enrollment_revoked: no account (oidc-provider then refuses the code or token).
      if (error instanceof DomainError) return undefined;
      throw error;
    }
  }

  /**
   * The holder behind `sub`: only an active enrollment answers — as for a login (spec §6.1), not revoked, its
   * credential neither expired nor on the VRL; claims computed at the time they are asked.
   */
  private async account(ctx: KoaContextWithOIDC, tokenId: string) {
    const holder = await this.activeHolder(tokenId);
    if (!holder) return undefined;
    const client = ctx.oidc.client;
    return {
      accountId: tokenId,
      claims: async (use: string, scope: string, claims: Record<string, unknown> | null, rejected: string[]) => {
        // oidc-provider filters what we return by the grant; we return only what could be asked for.
        if (use === 'id_token' && client?.[ID_TOKEN_CLAIMS] !== true) return { sub: tokenId };
        const wanted = new Set(OIDC_CLAIM_NAMES_RELEASED);
        for (const name of Object.keys(claims ?? {})) wanted.add(name);
        for (const name of rejected) wanted.delete(name);
        // The email is the client's own knowledge of the holder (an account link), never the document's; looked up
        // only when oidc-provider's filter (these scopes, these claims) would let it out.
        const emailAsked = emailReleasable(scope, claims, rejected);
        const link = client && emailAsked ? await this.links.get(client.clientId, tokenId) : undefined;
        const email = link?.email ? { email: link.email, email_verified: link.emailVerified } : {};
        return { sub: tokenId, ...oidcClaimsOfHolder(holder, wanted, new Date()), ...email };
      },
    };
  }
}
