import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDemoRp, type DemoRp } from '../apps/demo-rp/src/demo-rp.js';
import { DeviceLogin, type Device, type LoginRequest } from '../apps/device/src/index.js';
import {
  accessibilityProblems,
  browserAvailable,
  cspOf,
  inlineCode,
  launchChromium,
  readQr,
  screenshot,
  textOf,
} from './support/browser.js';
import { BOOTSTRAP_ADMIN_KEY, enrolledPhone, registerService, setUpStation } from './support/credentials.js';
import { freePort, startTestApp, type RunningApp } from './support/test-app.js';

jest.setTimeout(180_000);

type Locale = 'en' | 'fr';
const WORDS = {
  en: {
    signIn: 'Sign in with IDToken',
    continue: 'Continue',
    scanInstead: 'Scan a QR code instead',
    confirm: 'Confirm on your device',
    remaining: /^\d:\d\d remaining$/,
    verifying: 'Verifying identity…',
    verified: 'Identity verified',
    denied: /^Denied/,
    expired: /^Expired/,
    scan: 'Verify your identity — scan with your IDToken app',
    register: 'Register with IDToken — scan this code',
  },
  fr: {
    signIn: 'Se connecter avec IDToken',
    continue: 'Continuer',
    scanInstead: 'Scanner un code QR à la place',
    confirm: 'Confirmez sur votre appareil',
    remaining: /^\d:\d\d restantes$/,
    verifying: 'Vérification de l’identité…',
    verified: 'Identité vérifiée',
    denied: /^Refusé/,
    expired: /^Expiré/,
    scan: 'Vérifiez votre identité — scannez avec votre application IDToken',
    register: 'S’inscrire avec IDToken — scannez ce code',
  },
} as const;

const describeInBrowser = browserAvailable() ? describe : describe.skip;

/**
 * Issue 9: the pages people see, in Debian's Chromium driven by playwright-core. The Demo Shop (apps/demo-rp) signs
 * in with the OIDC code flow and checks an age with a claims-only QR; the simulated phone (apps/device) answers from
 * the test. Every screen is screenshotted in English and French (test/artifacts/), checked with axe-core, and
 * served with a CSP that allows no inline code.
 */
describeInBrowser('the pages in a real browser (Chromium)', () => {
  let server: RunningApp;
  let shop: DemoRp;
  let browser: Browser;
  let station: Awaited<ReturnType<typeof setUpStation>>['station'];
  let csca: Awaited<ReturnType<typeof setUpStation>>['csca'];
  let serviceVds: string;
  const problems: string[] = [];
  const documents: Promise<{ url: string; csp: string; inline: string[] } | undefined>[] = [];

  /** A phone of its own, enrolled and trusting the shop. */
  const phone = async (): Promise<{ device: Device; login: DeviceLogin; face: Uint8Array }> => {
    const { device, face } = await enrolledPhone(server.baseUrl, { station, csca }, serviceVds);
    return { device, login: new DeviceLogin(device, server.baseUrl), face };
  };

  /** The phone's pending request for the code the browser shows (the user compares them). */
  const requestShowing = async (login: DeviceLogin, otp: string): Promise<LoginRequest> => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const request = (await login.inbox()).find((candidate) => candidate.otp === otp);
      if (request) return request;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no request with the code ${otp} reached the phone`);
  };

  /** Screenshot and axe-core of the screen now shown; findings are collected for the last test. */
  const check = async (page: Page, name: string) => {
    await screenshot(page, name);
    for (const problem of await accessibilityProblems(page)) problems.push(`${name}: ${problem}`);
  };

  const newPage = async (locale: Locale): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ locale: locale === 'fr' ? 'fr-FR' : 'en-GB' });
    const page = await context.newPage();
    // Any refusal by the CSP would show here: the pages must need none of what it forbids.
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    // Every HTML document served, as served (the live DOM may carry styles set by script, which CSP allows). A body
    // is unreadable once its page was left (a screen the script leaves at once): the last test requires every kind
    // of screen to have been read at least once.
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'document' || response.status() !== 200) return;
      documents.push(
        Promise.all([response.allHeaders(), response.text()]).then(
          ([headers, body]) => ({
            url: response.url(),
            csp: headers['content-security-policy'] ?? '',
            inline: inlineCode(body),
          }),
          () => undefined,
        ),
      );
    });
    return { context, page };
  };

  /** From the shop's home to IDToken's identifier page, checking the page's CSP on the way. */
  const openSignIn = async (page: Page, locale: Locale) => {
    await page.goto(shop.url);
    await page.getByRole('link', { name: 'Log in with IDToken' }).click();
    await page.waitForURL(/\/interaction\/[^/]+$/, { timeout: 10_000 }).catch(async (error: unknown) => {
      throw new Error(`not on the sign-in page but ${page.url()}: ${await page.locator('body').innerText()}`, {
        cause: error,
      });
    });
    // The page as served: its policy allows no inline code, no eval, no framing.
    const csp = await cspOf(await page.reload());
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(await page.locator('h1').textContent()).toBe(WORDS[locale].signIn);
  };

  beforeAll(async () => {
    const idpPort = await freePort();
    const shopPort = await freePort();
    const issuer = `http://127.0.0.1:${idpPort}`;
    server = await startTestApp(
      {
        IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
        ISSUER_URL: issuer,
        ENROLL_RATE_LIMIT_PER_HOUR: '1000',
        INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
        INITIATE_RATE_LIMIT_PER_MINUTE: '1000',
        DEVICE_INBOX: 'on',
      },
      { port: idpPort },
    );
    ({ station, csca } = await setUpStation(server.baseUrl));
    const shopUrl = `http://127.0.0.1:${shopPort}`;
    const registered = await registerService(issuer, {
      serviceId: 'shop',
      name: 'Demo Shop',
      // The shop's public site (a Service VDS names an https origin); it runs on loopback for the test.
      url: 'https://shop.example',
      // OIDC `profile` is the name and the birth date.
      allowedScopes: ['identity:name', 'identity:date_of_birth', 'identity:age_over_18'],
      defaultScopes: ['identity:name'],
      oidc: { redirectUris: [`${shopUrl}/callback`] },
    });
    const { serviceSecret } = registered;
    serviceVds = registered.serviceVds;
    shop = await startDemoRp(
      {
        idpUrl: issuer,
        publicUrl: shopUrl,
        serviceId: 'shop',
        serviceSecret,
        name: 'Demo Shop',
        scopes: ['identity:name', 'identity:date_of_birth', 'identity:age_over_18'],
      },
      shopPort,
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await server?.close();
  });

  for (const locale of ['en', 'fr'] as const) {
    it(`signs in through the shop (${locale}): identifier → code with countdown → verifying → verified → the shop`, async () => {
      const { device, login, face } = await phone();
      const { context, page } = await newPage(locale);
      try {
        await page.goto(shop.url);
        await check(page, `shop-home-${locale}`);
        await openSignIn(page, locale);
        await check(page, `sign-in-${locale}`);

        await page.locator('#tokenId').fill(device.tokenId!);
        // Slow the status answers a little, so the "Verifying identity…" state can be seen and photographed.
        await page.route('**/interaction/*/status', async (route) => {
          await new Promise((resolve) => setTimeout(resolve, 400));
          await route.continue();
        });
        await page.getByRole('button', { name: WORDS[locale].continue }).click();
        await page.waitForSelector('.otp');
        expect(await page.locator('h1').textContent()).toBe(WORDS[locale].confirm);
        await textOf(page, '#countdown', WORDS[locale].remaining);
        expect(await page.locator('#countdown').textContent()).toMatch(WORDS[locale].remaining);
        const otp = (await page.locator('.otp').textContent())!.trim();
        await check(page, `confirm-code-${locale}`);

        // The user compares the codes: the phone shows the same one.
        const request = await requestShowing(login, otp);
        expect(request.serviceId).toBe('shop');
        await login.approve(request, { liveFaceTemplate: face, grantedScopes: ['identity:name'] });

        await textOf(page, '#status', WORDS[locale].verifying);
        await screenshot(page, `verifying-${locale}`);
        await textOf(page, '#status', WORDS[locale].verified);
        await check(page, `verified-${locale}`);

        await page.waitForURL(`${shop.url}/account`);
        expect(await page.locator('#welcome').textContent()).toMatch(/^Welcome, \S+/);
        expect(await page.locator('table').textContent()).toContain('given_name');
        await check(page, `shop-signed-in-${locale}`);
      } finally {
        await context.close();
      }
    });
  }

  it('shows "Denied" when the phone declines, and "Expired — try again" when nobody answers (en and fr)', async () => {
    const run = async (locale: Locale) => {
      const { device, login } = await phone();
      const { context, page } = await newPage(locale);
      try {
        await openSignIn(page, locale);
        await page.locator('#tokenId').fill(device.tokenId!);
        await page.getByRole('button', { name: WORDS[locale].continue }).click();
        const otp = (await page.locator('.otp').textContent())!.trim();
        await login.deny((await requestShowing(login, otp)).sessionId);
        await page.waitForSelector('h1[role="alert"]');
        expect(await page.locator('h1').textContent()).toMatch(WORDS[locale].denied);
        await check(page, `denied-${locale}`);

        // Try again, and let the 60 s pass with the phone silent.
        await page.locator('a.button').click();
        await page.locator('#tokenId').fill(device.tokenId!);
        await page.getByRole('button', { name: WORDS[locale].continue }).click();
        await page.waitForSelector('.otp');
        await page.waitForSelector('h1[role="alert"]', { timeout: 90_000 });
        expect(await page.locator('h1').textContent()).toMatch(WORDS[locale].expired);
        await check(page, `expired-${locale}`);
      } finally {
        await context.close();
      }
    };
    // Both languages wait out the same minute.
    await Promise.all([run('en'), run('fr')]);
  });

  it('runs the claims-only QR sign-in: the QR is read from a screenshot and handed to the phone (en and fr)', async () => {
    for (const locale of ['en', 'fr'] as const) {
      const { login, face } = await phone();
      const { context, page } = await newPage(locale);
      try {
        await openSignIn(page, locale);
        await page.getByRole('button', { name: WORDS[locale].scanInstead }).click();
        await page.waitForSelector('.qr img');
        expect(await page.locator('h1').textContent()).toBe(WORDS[locale].scan);
        await check(page, `scan-qr-${locale}`);
        const request = await login.scanQr(await readQr(page, '.qr img'));
        expect(request).toMatchObject({ serviceId: 'shop', serviceVerified: true, via: 'qr' });
        await login.approve(request, { liveFaceTemplate: face });
        await page.waitForURL(`${shop.url}/account`);
      } finally {
        await context.close();
      }
    }
  });

  it('verifies "over 18" in the shop with no account: QR from the page, the phone approves, the shop checks', async () => {
    const { login, face } = await phone();
    const { context, page } = await newPage('en');
    try {
      await page.goto(shop.url);
      await page.getByRole('link', { name: 'Verify I am over 18' }).click();
      await page.waitForSelector('.qr img');
      await check(page, 'shop-verify-age-en');
      const request = await login.scanQr(await readQr(page, '.qr img'));
      expect(request.scopes).toEqual(['identity:age_over_18']);
      await login.approve(request, { liveFaceTemplate: face });
      await textOf(page, '#age-status', /^Verified/);
      // The synthetic passports are of adults.
      expect(await page.locator('#age-status').textContent()).toBe('Verified: you are over 18.');
      await check(page, 'shop-verified-age-en');
    } finally {
      await context.close();
    }
  });

  it('shows the Service VDS to register with, in the shop and on IDToken (en and fr), and the phone accepts it', async () => {
    const { context, page } = await newPage('en');
    try {
      await page.goto(`${shop.url}/register`);
      await check(page, 'shop-register-en');
      const text = await readQr(page, '.qr img');
      expect(text).toBe(serviceVds);
      for (const locale of ['en', 'fr'] as const) {
        const response = await page.goto(`${server.baseUrl}/services/shop/register?ui_locales=${locale}`);
        expect(await cspOf(response)).not.toContain('unsafe-inline');
        expect(await page.locator('h1').textContent()).toBe(WORDS[locale].register);
        expect(await page.locator('main').textContent()).toContain('Demo Shop');
        await check(page, `register-${locale}`);
      }
      const { device } = await phone();
      await expect(device.inspectService(await readQr(page, '.qr img'))).resolves.toMatchObject({ sid: 'shop' });
    } finally {
      await context.close();
    }
  });

  it('fits a phone screen: no sideways scrolling on the sign-in and code screens at 360 px', async () => {
    const { device } = await phone();
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
    });
    const page = await context.newPage();
    // Evaluated through DevTools: the pages' CSP forbids string evaluation by the page itself.
    const overflow = async () =>
      (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    try {
      await openSignIn(page, 'en');
      expect(await overflow()).toBeLessThanOrEqual(0);
      await check(page, 'sign-in-en-phone');
      await page.locator('#tokenId').fill(device.tokenId!);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForSelector('.otp');
      expect(await overflow()).toBeLessThanOrEqual(0);
      await check(page, 'confirm-code-en-phone');
    } finally {
      await context.close();
    }
  });

  it('signs in with the socket blocked: the page falls back to polling', async () => {
    const { device, login, face } = await phone();
    const { context, page } = await newPage('en');
    // The page opens its socket, and the network refuses it (as a proxy without WebSocket support would).
    const refused: string[] = [];
    await page.routeWebSocket(/\/socket\.io\//, (socket) => {
      refused.push(socket.url());
      void socket.close({ code: 1011, reason: 'blocked by the test' });
    });
    try {
      await openSignIn(page, 'en');
      await page.locator('#tokenId').fill(device.tokenId!);
      await page.getByRole('button', { name: 'Continue' }).click();
      const otp = (await page.locator('.otp').textContent())!.trim();
      await login.approve(await requestShowing(login, otp), { liveFaceTemplate: face });
      await page.waitForURL(`${shop.url}/account`, { timeout: 15_000 });
      expect(refused.length).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });

  it('found no serious or critical accessibility problem, no inline code and no CSP refusal on any screen', async () => {
    expect(problems).toEqual([]);
    const served = (await Promise.all(documents)).filter((document) => document !== undefined);
    for (const { url, csp, inline } of served) {
      expect({ url, inline }).toEqual({ url, inline: [] });
      expect({ url, csp }).toEqual({ url, csp: expect.stringContaining("script-src 'self'") });
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    }
    const kinds = new Set(
      served.map(({ url }) => new URL(url).pathname.replace(/\/interaction\/[^/]+/, '/interaction/:uid')),
    );
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        '/',
        '/account',
        '/interaction/:uid',
        '/interaction/:uid/complete',
        '/interaction/:uid/wait',
        '/register',
        '/services/shop/register',
        '/verify-age',
      ]),
    );
  });
});
