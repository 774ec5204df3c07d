/**
 * The Demo Shop on its own, against an IDToken server running elsewhere: `npm run demo-rp`. The service must be
 * registered there with the OIDC redirect URI `${DEMO_SHOP_URL}/callback` (IDTOKEN_DEMO=1 on the server does all of
 * this in one process instead; README).
 *   IDTOKEN_URL          the server's issuer URL (default http://localhost:3000)
 *   DEMO_SHOP_URL        where browsers reach the shop (default http://localhost:4000)
 *   DEMO_SHOP_SERVICE_ID its serviceId (default demo-shop)
 *   DEMO_SHOP_SECRET     its serviceSecret (required)
 */
import { startDemoRp } from './demo-rp.js';

async function main(): Promise<void> {
  const secret = process.env.DEMO_SHOP_SECRET;
  if (!secret) {
    process.stderr.write('DEMO_SHOP_SECRET is required: the serviceSecret of the shop at IDToken\n');
    process.exit(2);
  }
  const publicUrl = new URL(process.env.DEMO_SHOP_URL ?? 'http://localhost:4000');
  const shop = await startDemoRp(
    {
      idpUrl: process.env.IDTOKEN_URL ?? 'http://localhost:3000',
      publicUrl: publicUrl.origin,
      serviceId: process.env.DEMO_SHOP_SERVICE_ID ?? 'demo-shop',
      serviceSecret: secret,
    },
    Number(publicUrl.port || 80),
    '127.0.0.1',
  );
  process.stdout.write(`Demo Shop: ${publicUrl.origin} (listening on ${shop.url})\n`);
  const stop = () => void shop.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`the Demo Shop failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
