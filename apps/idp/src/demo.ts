import type { INestApplicationContext } from '@nestjs/common';
import { DomainError } from '#idtoken/platform';
import { ServiceRegistry, createServiceSchema, updateServiceSchema } from '#idtoken/services';
import { startDemoRp, type DemoRp } from '../../demo-rp/src/demo-rp.js';

export const DEMO_SERVICE_ID = 'demo-shop';
const DEMO_SCOPES = ['identity:name', 'identity:age_over_18', 'identity:date_of_birth'];

/**
 * `IDTOKEN_DEMO=1 npm start` (never in production): registers the Demo Shop at this IdP — or, on a later start,
 * gives it a new secret (a secret is shown once, and the shop runs in this process) — and starts the demo relying
 * party next to the server. Returns the shop and the walkthrough to print.
 */
export async function startDemo(
  app: INestApplicationContext,
  settings: { issuerUrl: string; shopPort: number; nodeEnv: 'development' | 'test' | 'production' },
): Promise<{ shop: DemoRp; walkthrough: string }> {
  const registry = app.get(ServiceRegistry);
  const publicUrl = `http://localhost:${settings.shopPort}`;
  const context = { actor: 'system:demo' };
  // One redirect host: a pairwise client with several would need a sector_identifier_uri.
  const oidc = { redirectUris: [`${publicUrl}/callback`] };
  let secret: string | undefined;
  try {
    await registry.get(DEMO_SERVICE_ID);
    // A later start, perhaps on another DEMO_SHOP_PORT: the redirect URI follows the shop.
    await registry.update(DEMO_SERVICE_ID, updateServiceSchema(settings.nodeEnv).parse({ oidc }), context);
    secret = (await registry.rotateSecret(DEMO_SERVICE_ID, context)).serviceSecret;
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'not_found') throw error;
    secret = (
      await registry.create(
        // Through the admin API's own schema, so the demo service gets every default a registered one does.
        createServiceSchema(settings.nodeEnv).parse({
          serviceId: DEMO_SERVICE_ID,
          name: 'Demo Shop',
          // A Service VDS names an https origin: the shop's would-be public site (it runs on localhost here).
          url: 'https://demo-shop.example',
          allowedScopes: DEMO_SCOPES,
          defaultScopes: ['identity:name'],
          oidc,
        }),
        context,
      )
    ).serviceSecret;
  }
  if (!secret) throw new Error('the demo service has no secret');
  const shop = await startDemoRp(
    {
      idpUrl: settings.issuerUrl,
      publicUrl,
      serviceId: DEMO_SERVICE_ID,
      serviceSecret: secret,
      name: 'Demo Shop',
      scopes: DEMO_SCOPES,
    },
    settings.shopPort,
    '127.0.0.1',
  );
  const walkthrough = `
  Demo Shop (a relying party of this IdP): ${publicUrl}
    register page   ${publicUrl}/register   (or ${settings.issuerUrl}/services/${DEMO_SERVICE_ID}/register)
  In a second terminal, the simulated phone (README, "Walk through it in a browser"), with the same admin key:
    npm run device -- issue --synthetic
    npm run device -- enroll
    npm run device -- trust --service ${DEMO_SERVICE_ID}
    npm run device -- status            (the tokenId to sign in with)
    npm run device -- inbox             (the code the browser shows), then approve --otp <code>
`;
  return { shop, walkthrough };
}
