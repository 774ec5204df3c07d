import { X509Certificate } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SAML, ValidateInResponseTo, type SamlConfig } from '@node-saml/node-saml';
import { DeviceLogin, type Device } from '../apps/device/src/index.js';
import { WRAPPING_SHAPES } from '../libs/saml/src/hardening/testing/signature-wrapping.js';
import { createTestSigner } from '../libs/saml/src/hardening/testing/test-signer.js';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
import { BrowserSession } from './support/browser-session.js';
import { pythonSpValidate, samlPeersAvailable, xmllintValidate, xmlsec1Verify } from './support/saml-peers.js';
import { freePort, startTestApp, type RunningApp } from './support/test-app.js';
import { selfSignedRsa } from './support/tls.js';

const NS_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const SAML_LIMIT = 200;

/**
 * The SAML IdP with real peers (docs/saml.md): @node-saml/node-saml as a strict SP completes Redirect, POST and
 * encrypted-assertion logins while the device simulator approves; xmlsec1 verifies our signatures with the IdP
 * certificate given explicitly; xmllint validates the metadata against the OASIS XSDs; python3-saml validates a
 * Response end to end; the Entra and Okta profiles produce the values those SPs expect.
 */
describe('SAML IdP (docs/saml.md) with real SPs', () => {
  /** xmlsec1, xmllint and python3-saml (Debian packages; .ci/run installs them and requires them). */
  const peers = samlPeersAvailable();
  let server: RunningApp;
  let issuer: string;
  let phone: { device: Device; login: DeviceLogin; face: Uint8Array };
  let idpCert: string;
  const signing = selfSignedRsa('sp-signing');
  const encryption = selfSignedRsa('sp-encryption');

  const admin = (path: string, body: unknown, method = 'POST') =>
    fetch(`${issuer}${path}`, {
      method,
      headers: { authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const acsOf = (serviceId: string) => `http://localhost:9/${serviceId}/acs`;
  const entityOf = (serviceId: string) => `https://sp.example/${serviceId}`;

  /** A strict node-saml SP (signed response and assertion, InResponseTo always, audience set). */
  const spFor = (serviceId: string, extra: Partial<SamlConfig> = {}) =>
    new SAML({
      callbackUrl: acsOf(serviceId),
      logoutCallbackUrl: `http://localhost:9/${serviceId}/slo`,
      entryPoint: `${issuer}/saml/sso`,
      logoutUrl: `${issuer}/saml/slo`,
      issuer: entityOf(serviceId),
      audience: entityOf(serviceId),
      idpCert,
      idpIssuer: `${issuer}/saml/metadata`,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      validateInResponseTo: ValidateInResponseTo.always,
      identifierFormat: PERSISTENT,
      privateKey: signing.key,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      acceptedClockSkewMs: 0,
      ...extra,
    });

  /** Registers a service and its SP from node-saml's own metadata, plus settings. */
  const registerSp = async (
    serviceId: string,
    sp: SAML,
    settings: Record<string, unknown> = {},
    extra: object = {},
  ) => {
    const created = await admin('/admin/services', {
      serviceId,
      name: `SP ${serviceId}`,
      url: 'https://sp.example',
      allowedScopes: ['identity:basic', 'identity:age_over_18'],
      defaultScopes: ['identity:name', 'identity:age_over_18'],
      requireTrust: false,
      ...extra,
    });
    expect(created.status).toBe(201);
    const metadataXml = sp.generateServiceProviderMetadata(encryption.cert, signing.cert);
    const put = await admin(`/admin/services/${serviceId}/saml`, { metadataXml, ...settings }, 'PUT');
    expect(put.status).toBe(200);
  };

  /** The browser follows the SP's request to the IdP, enters the identifier, the phone approves; the auto-post form. */
  const signIn = async (start: (browser: BrowserSession) => Promise<{ body: string; url: URL; status: number }>) => {
    const browser = new BrowserSession();
    const page = await start(browser);
    if (page.status !== 200) console.log('PAGE', page.body);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Sign in with IDToken');
    const csrf = BrowserSession.field(page.body, 'csrf');
    const waiting = await browser.submit(new URL(BrowserSession.action(page.body, '/login'), issuer).href, {
      csrf,
      tokenId: phone.device.tokenId!,
    });
    expect(waiting.body).toContain('Match this code on your IDToken app');
    const shown = /class="otp"[^>]*>(\d{6})</.exec(waiting.body)?.[1];
    const request = (await phone.login.inbox()).find((pending) => pending.otp === shown);
    expect(request).toBeDefined();
    await phone.login.approve(request!, { liveFaceTemplate: phone.face, grantedScopes: request!.scopes });
    const done = await browser.visit(waiting.url.href.replace(/\/wait$/, '/complete'));
    expect(done.status).toBe(200);
    const fields: Record<string, string> = { SAMLResponse: BrowserSession.field(done.body, 'SAMLResponse') };
    if (done.body.includes('name="RelayState"')) fields.RelayState = BrowserSession.field(done.body, 'RelayState');
    const action = /<form id="saml-post" method="post" action="([^"]+)"/.exec(done.body)?.[1];
    return { fields, action, xml: Buffer.from(fields.SAMLResponse!, 'base64').toString('utf8'), browser };
  };

  /** Redirect binding: node-saml builds the signed URL; the browser follows it. */
  const viaRedirect =
    (sp: SAML, relayState = '') =>
    (browser: BrowserSession) =>
      sp.getAuthorizeUrlAsync(relayState, undefined, {}).then((url) => browser.visit(url));

  /** POST binding: node-saml builds the auto-submit form; the browser posts its fields. */
  const viaPost = (sp: SAML) => async (browser: BrowserSession) => {
    const form = await sp.getAuthorizeFormAsync('', undefined, {});
    const fields = Object.fromEntries(
      [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, decodeHtml(m[2]!)]),
    );
    return browser.submit(`${issuer}/saml/sso`, fields);
  };

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    server = await startTestApp(
      {
        IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
        ISSUER_URL: issuer,
        INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
        INITIATE_RATE_LIMIT_PER_MINUTE: '1000',
        // Every request here comes from 127.0.0.1: room for all the tests; the last one runs into the limit.
        SAML_RATE_LIMIT_PER_MINUTE: String(SAML_LIMIT),
      },
      { port },
    );
    const { station, csca } = await setUpStation(issuer);
    const issued = await issueCredential(station, csca);
    const device = await newDevice(issuer);
    await device.receiveCredential(issued.vds);
    await device.enroll({ liveFaceTemplate: issued.face });
    phone = { device, login: new DeviceLogin(device, issuer), face: issued.face };
    const metadata = await (await fetch(`${issuer}/saml/metadata`)).text();
    const der = /<ds:X509Certificate>([^<]+)</.exec(metadata)![1]!;
    idpCert = new X509Certificate(Buffer.from(der, 'base64')).toString();
  });
  afterAll(async () => server?.close());

  it('publishes metadata that validates against the SAML 2.0 XSDs (xmllint), also when signed (xmlsec1)', async () => {
    const response = await fetch(`${issuer}/saml/metadata`);
    expect(response.headers.get('content-type')).toMatch(/^application\/samlmetadata\+xml/);
    const xml = await response.text();
    expect(xml).toContain(`entityID="${issuer}/saml/metadata"`);
    expect(xml).toContain(`Location="${issuer}/saml/sso"`);
    expect(xml).toContain(`Location="${issuer}/saml/slo"`);
    const signed = await (await fetch(`${issuer}/saml/metadata?signed=true`)).text();
    expect(signed).toContain('<ds:Signature');
    if (!peers) return;
    expect(await xmllintValidate(xml, 'metadata')).toMatchObject({ ok: true });
    expect(await xmllintValidate(signed, 'metadata')).toMatchObject({ ok: true });
    const check = await xmlsec1Verify(signed, {
      certificatePem: idpCert,
      idAttr: 'urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor',
    });
    expect(check).toMatchObject({ ok: true });
  });

  it('completes an SP-initiated Redirect login with node-saml as a strict SP; xmlsec1 verifies both signatures', async () => {
    const sp = spFor('redirect-sp');
    await registerSp('redirect-sp', sp, { wantSignedRequests: true });
    const { fields, action, xml } = await signIn(viaRedirect(sp, 'back-to/page'));
    expect(action).toBe(acsOf('redirect-sp'));
    expect(fields.RelayState).toBe('back-to/page');
    const { profile } = await sp.validatePostResponseAsync(fields);
    expect(profile).toBeDefined();
    expect(profile!.nameIDFormat).toBe(PERSISTENT);
    // Pairwise: not the tokenId.
    expect(profile!.nameID).not.toBe(phone.device.tokenId);
    expect(profile!['urn:oid:2.5.4.42']).toBeDefined();
    expect(profile!['urn:oid:2.5.4.4']).toBeDefined();
    expect(profile!['urn:oid:2.25.127411573640536611789643784210218654337.2.4']).toBe('true');
    expect(xml).toContain('AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract<');

    // xmlsec1 checks each signature with the IdP certificate given explicitly (never KeyInfo).
    if (!peers) return;
    expect(await xmlsec1Verify(xml, { certificatePem: idpCert, idAttr: `${NS_PROTOCOL}:Response` })).toMatchObject({
      ok: true,
    });
    expect(await xmlsec1Verify(xml, { certificatePem: idpCert, idAttr: `${NS_ASSERTION}:Assertion` })).toMatchObject({
      ok: true,
    });
    expect(await xmllintValidate(xml, 'protocol')).toMatchObject({ ok: true });
  });

  it('completes an SP-initiated POST login; python3-saml validates the Response end to end', async () => {
    // saml-bindings §3.5: the POST binding carries the request undeflated (node-saml deflates unless told not to).
    const sp = spFor('post-sp', { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true });
    await registerSp('post-sp', sp, { wantSignedRequests: true });
    const { fields, xml } = await signIn(viaPost(sp));
    const { profile } = await sp.validatePostResponseAsync(fields);
    expect(profile!.nameIDFormat).toBe(PERSISTENT);
    const requestId = /InResponseTo="([^"]+)"/.exec(xml)![1]!;
    if (!peers) return;
    const python = await pythonSpValidate({
      spEntityId: entityOf('post-sp'),
      acsUrl: acsOf('post-sp'),
      idpEntityId: `${issuer}/saml/metadata`,
      idpSsoUrl: `${issuer}/saml/sso`,
      idpCertificatePem: idpCert,
      samlResponseBase64: fields.SAMLResponse!,
      requestId,
      wantAssertionsSigned: true,
      wantMessagesSigned: true,
    });
    expect(python).toMatchObject({ valid: true, error: null, nameId: profile!.nameID, nameIdFormat: PERSISTENT });
    expect(python.attributes['urn:oid:2.5.4.42']).toBeDefined();
  });

  it('encrypts the assertion for the SP (RSA-OAEP + AES-256-GCM); node-saml decrypts it', async () => {
    const sp = spFor('encrypted-sp', { decryptionPvk: encryption.key });
    await registerSp('encrypted-sp', sp, { encryptAssertion: true });
    const { fields, xml } = await signIn(viaRedirect(sp));
    expect(xml).toContain('EncryptedAssertion');
    expect(xml).toContain('http://www.w3.org/2009/xmlenc11#aes256-gcm');
    expect(xml).toContain('http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p');
    expect(xml).not.toContain('urn:oid:2.5.4.42');
    const { profile } = await sp.validatePostResponseAsync(fields);
    expect(profile!.nameIDFormat).toBe(PERSISTENT);
    expect(profile!['urn:oid:2.5.4.42']).toBeDefined();
  });

  it('gives Entra domain federation the ImmutableID NameID, IDPEmail = UPN and multipleauthn', async () => {
    const sp = spFor('entra-domain', { wantAuthnResponseSigned: true });
    await registerSp('entra-domain', sp, { profile: 'entra-domain' });
    const put = await admin(
      `/admin/services/entra-domain/account-links/${phone.device.tokenId}`,
      { upn: 'ada@contoso.com', immutableId: 'Q2FmZUJhYmUtMTIzNA==', email: 'ada@contoso.com' },
      'PUT',
    );
    expect(put.status).toBe(201);
    const { fields, xml } = await signIn(viaRedirect(sp));
    const { profile } = await sp.validatePostResponseAsync(fields);
    expect(profile!.nameID).toBe('Q2FmZUJhYmUtMTIzNA==');
    expect(profile!.nameIDFormat).toBe(PERSISTENT);
    expect(profile!.IDPEmail).toBe('ada@contoso.com');
    expect(xml).toContain('<saml:AuthnContextClassRef>http://schemas.microsoft.com/claims/multipleauthn<');
    // Minimal disclosure: Entra gets what it asks for, nothing else.
    expect(xml).not.toContain('urn:oid:2.5.4.42');
  });

  it('gives Entra B2B a persistent NameID and the ws-claims email address, and Okta email/firstName/lastName', async () => {
    const b2b = spFor('entra-b2b');
    await registerSp('entra-b2b', b2b, { profile: 'entra-b2b' });
    await admin(
      `/admin/services/entra-b2b/account-links/${phone.device.tokenId}`,
      { email: 'ada@fabrikam.com' },
      'PUT',
    );
    const fromB2b = await b2b.validatePostResponseAsync((await signIn(viaRedirect(b2b))).fields);
    expect(fromB2b.profile!.nameIDFormat).toBe(PERSISTENT);
    expect(fromB2b.profile!['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress']).toBe(
      'ada@fabrikam.com',
    );

    const okta = spFor('okta', { identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' });
    await registerSp('okta', okta, { profile: 'okta' });
    await admin(`/admin/services/okta/account-links/${phone.device.tokenId}`, { email: 'ada@okta.example' }, 'PUT');
    const fromOkta = await okta.validatePostResponseAsync((await signIn(viaRedirect(okta))).fields);
    expect(fromOkta.profile!.nameID).toBe('ada@okta.example');
    expect(fromOkta.profile!.nameIDFormat).toBe('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
    expect(fromOkta.profile!.email).toBe('ada@okta.example');
    expect(typeof fromOkta.profile!.firstName).toBe('string');
    expect(typeof fromOkta.profile!.lastName).toBe('string');
  });

  it('answers an SP-initiated LogoutRequest with a signed LogoutResponse and ends the IdP session', async () => {
    const sp = spFor('slo-sp');
    await registerSp('slo-sp', sp);
    const { fields } = await signIn(viaRedirect(sp));
    const { profile } = await sp.validatePostResponseAsync(fields);
    const logoutUrl = await sp.getLogoutUrlAsync(profile!, '', {});
    const browser = new BrowserSession();
    // node-saml's metadata names an HTTP-POST SingleLogoutService: the LogoutResponse comes back in a form.
    const answer = await browser.visit(logoutUrl);
    expect(answer.status).toBe(200);
    expect(/<form id="saml-post" method="post" action="([^"]+)"/.exec(answer.body)?.[1]).toBe(
      'http://localhost:9/slo-sp/slo',
    );
    const response = { SAMLResponse: BrowserSession.field(answer.body, 'SAMLResponse') };
    const xml = Buffer.from(response.SAMLResponse, 'base64').toString('utf8');
    expect(xml).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
    if (peers) {
      const verdict = await xmlsec1Verify(xml, { certificatePem: idpCert, idAttr: `${NS_PROTOCOL}:LogoutResponse` });
      expect(verdict).toMatchObject({ ok: true });
    }
    // node-saml checks InResponseTo of a Response only: the LogoutResponse's is checked here, its signature there.
    const requestXml = inflateRawSync(Buffer.from(new URL(logoutUrl).searchParams.get('SAMLRequest')!, 'base64'));
    expect(xml).toContain(`InResponseTo="${/ID="([^"]+)"/.exec(requestXml.toString())![1]}"`);
    const validated = await spFor('slo-sp', {
      validateInResponseTo: ValidateInResponseTo.never,
    }).validatePostResponseAsync(response);
    expect(validated.loggedOut).toBe(true);
    // The session is gone: the same LogoutRequest again (a new ID) ends nothing, still answered Success.
    const again = await browser.visit(await sp.getLogoutUrlAsync(profile!, '', {}));
    expect(again.status).toBe(200);
  });

  it('refuses a replayed AuthnRequest, an unsigned one where signing is required, and an unknown ACS — signing nothing', async () => {
    const sp = spFor('strict-sp');
    await registerSp('strict-sp', sp, { wantSignedRequests: true });
    const url = await sp.getAuthorizeUrlAsync('', undefined, {});
    const browser = new BrowserSession();
    expect((await browser.visit(url)).status).toBe(200);
    const replay = await fetch(url, { redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await replay.text()).not.toContain('SAMLResponse');

    const unsigned = spFor('strict-sp', { privateKey: undefined as unknown as string });
    const refused = await fetch(await unsigned.getAuthorizeUrlAsync('', undefined, {}), { redirect: 'manual' });
    expect(refused.status).toBe(400);

    const elsewhere = spFor('strict-sp', { callbackUrl: 'https://attacker.example/acs' });
    const wrongAcs = await fetch(await elsewhere.getAuthorizeUrlAsync('', undefined, {}), { redirect: 'manual' });
    expect(wrongAcs.status).toBe(400);
    expect(await wrongAcs.text()).not.toContain('attacker.example');
  });

  describe('hostile requests: refused with 400, nothing signed, nothing sent to the SP', () => {
    let postSp: SAML;
    const refusedOver = async (response: Response) => {
      expect(response.status).toBe(400);
      const body = await response.text();
      expect(body).toContain('Sign-in request refused');
      expect(body).not.toContain('SAMLResponse');
      expect(body).not.toContain('evil.example');
      return body;
    };
    const postRequest = (xml: string, path = '/saml/sso') =>
      fetch(`${issuer}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ SAMLRequest: Buffer.from(xml).toString('base64') }).toString(),
      });
    const signedPostXml = async () => {
      const form = await postSp.getAuthorizeFormAsync('', undefined, {});
      const value = /name="SAMLRequest" value="([^"]+)"/.exec(form)![1]!;
      return Buffer.from(decodeHtml(value), 'base64').toString('utf8');
    };

    beforeAll(async () => {
      postSp = spFor('hostile-sp', { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true });
      await registerSp('hostile-sp', postSp, { wantSignedRequests: true });
    });

    it.each(WRAPPING_SHAPES.map((shape) => [shape.name, shape] as const))(
      '%s: a wrapped signed AuthnRequest',
      async (_name, shape) => {
        const wrapped = shape.build(await signedPostXml(), createTestSigner());
        await refusedOver(await postRequest(wrapped));
      },
    );

    it('a DOCTYPE with an internal entity (entity expansion) and an external entity (XXE)', async () => {
      const request = await signedPostXml();
      const body = request.replace(/^(<\?xml[^>]*\?>)?/, '');
      await refusedOver(await postRequest(`<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>${body}`));
      await refusedOver(await postRequest(`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${body}`));
    });

    it('a DEFLATE bomb over the Redirect binding', async () => {
      const bomb = deflateRawSync(Buffer.alloc(5 * 1024 * 1024)).toString('base64');
      const response = await fetch(`${issuer}/saml/sso?SAMLRequest=${encodeURIComponent(bomb)}`, {
        redirect: 'manual',
      });
      await refusedOver(response);
    });

    it('SHA-1 and unknown SigAlg on the Redirect binding', async () => {
      const sha1 = spFor('hostile-sp', { signatureAlgorithm: 'sha1' });
      const sha1Url = await sha1.getAuthorizeUrlAsync('', undefined, {});
      expect(new URL(sha1Url).searchParams.get('SigAlg')).toBe('http://www.w3.org/2000/09/xmldsig#rsa-sha1');
      await refusedOver(await fetch(sha1Url, { redirect: 'manual' }));
      const good = new URL(await spFor('hostile-sp').getAuthorizeUrlAsync('', undefined, {}));
      good.searchParams.set('SigAlg', 'http://example.com/made-up#rsa-md5');
      await refusedOver(await fetch(good, { redirect: 'manual' }));
    });

    it('a correctly signed request for another Destination', async () => {
      const elsewhere = spFor('hostile-sp', { entryPoint: 'https://other-idp.example/saml/sso' });
      const url = new URL(await elsewhere.getAuthorizeUrlAsync('', undefined, {}));
      await refusedOver(await fetch(`${issuer}/saml/sso${url.search}`, { redirect: 'manual' }));
    });

    it('a signed request whose signature was made by another key (the certificate in KeyInfo is not trusted)', async () => {
      const other = selfSignedRsa('attacker');
      const forged = spFor('hostile-sp', {
        privateKey: other.key,
        authnRequestBinding: 'HTTP-POST',
        skipRequestCompression: true,
      });
      const form = await forged.getAuthorizeFormAsync('', undefined, {});
      const xml = Buffer.from(decodeHtml(/name="SAMLRequest" value="([^"]+)"/.exec(form)![1]!), 'base64').toString();
      await refusedOver(await postRequest(xml));
    });

    it('a comment injected into the NameID of a LogoutRequest', async () => {
      const now = new Date().toISOString();
      const logout =
        `<samlp:LogoutRequest xmlns:samlp="${NS_PROTOCOL}" xmlns:saml="${NS_ASSERTION}" ID="_logout-comment" ` +
        `Version="2.0" IssueInstant="${now}" Destination="${issuer}/saml/slo">` +
        `<saml:Issuer>${entityOf('hostile-sp')}</saml:Issuer>` +
        `<saml:NameID>admin@example.com<!---->.evil.com</saml:NameID>` +
        `<samlp:SessionIndex>_x</samlp:SessionIndex></samlp:LogoutRequest>`;
      const body = await refusedOver(await postRequest(logout, '/saml/slo'));
      expect(body).toMatch(/comment/i);
    });

    it('a request from an unregistered Issuer', async () => {
      const stranger = spFor('nobody', { privateKey: undefined as unknown as string });
      await refusedOver(await fetch(await stranger.getAuthorizeUrlAsync('', undefined, {}), { redirect: 'manual' }));
    });
  });

  it('runs IdP-initiated SSO only for an SP that allows it, without InResponseTo', async () => {
    const sp = spFor('unsolicited-sp', { validateInResponseTo: ValidateInResponseTo.never });
    await registerSp('unsolicited-sp', sp);
    const refused = await fetch(`${issuer}/saml/idp-initiated/unsolicited-sp`, { redirect: 'manual' });
    expect(refused.status).toBe(403);
    expect((await admin('/admin/services/unsolicited-sp/saml', { idpInitiated: true }, 'PUT')).status).toBe(400);
    const current = (await (await admin('/admin/services/unsolicited-sp/saml', undefined, 'GET')).json()) as object;
    expect((await admin('/admin/services/unsolicited-sp/saml', { ...current, idpInitiated: true }, 'PUT')).status).toBe(
      200,
    );
    const { fields, xml } = await signIn((browser) =>
      browser.visit(`${issuer}/saml/idp-initiated/unsolicited-sp?RelayState=home`),
    );
    expect(xml).not.toContain('InResponseTo');
    expect(fields.RelayState).toBe('home');
    const { profile } = await sp.validatePostResponseAsync(fields);
    expect(profile!.nameIDFormat).toBe(PERSISTENT);
  });

  describe('the login pages belong to one browser and end once', () => {
    let sp: SAML;
    const open = async () => {
      const browser = new BrowserSession();
      const page = await browser.visit(await sp.getAuthorizeUrlAsync('', undefined, {}));
      expect(page.status).toBe(200);
      return { browser, page, csrf: BrowserSession.field(page.body, 'csrf') };
    };

    beforeAll(async () => {
      sp = spFor('pages-sp');
      await registerSp('pages-sp', sp);
    });

    it("refuses the login's pages to another browser, and a form without this login's CSRF token", async () => {
      const { page, csrf } = await open();
      const other = new BrowserSession();
      expect((await other.visit(page.url.href)).status).toBe(404);
      const action = new URL(BrowserSession.action(page.body, '/login'), issuer).href;
      expect((await other.submit(action, { csrf, tokenId: phone.device.tokenId! })).status).toBe(404);
      const { browser: second } = await open();
      const forged = await second.submit(action.replace(page.url.pathname, page.url.pathname), {
        csrf: 'x'.repeat(43),
      });
      expect([400, 404]).toContain(forged.status);
    });

    it('cancelling posts a signed Responder/AuthnFailed Response that the SP verifies and reports', async () => {
      const { browser, page, csrf } = await open();
      const cancelled = await browser.submit(new URL(BrowserSession.action(page.body, '/cancel'), issuer).href, {
        csrf,
      });
      const samlResponse = BrowserSession.field(cancelled.body, 'SAMLResponse');
      const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
      expect(xml).toContain('urn:oasis:names:tc:SAML:2.0:status:AuthnFailed');
      expect(xml).not.toContain('Assertion');
      await expect(sp.validatePostResponseAsync({ SAMLResponse: samlResponse })).rejects.toThrow(
        /AuthnFailed|Responder/,
      );
      if (peers) {
        const verdict = await xmlsec1Verify(xml, { certificatePem: idpCert, idAttr: `${NS_PROTOCOL}:Response` });
        expect(verdict).toMatchObject({ ok: true });
      }
      // Ended: the page cannot be cancelled (or completed) a second time.
      expect(
        (await browser.submit(new URL(BrowserSession.action(page.body, '/cancel'), issuer).href, { csrf })).status,
      ).toBe(404);
    });

    it('completes once: concurrent completions give one Response', async () => {
      const browser = new BrowserSession();
      const page = await browser.visit(await sp.getAuthorizeUrlAsync('', undefined, {}));
      const waiting = await browser.submit(new URL(BrowserSession.action(page.body, '/login'), issuer).href, {
        csrf: BrowserSession.field(page.body, 'csrf'),
        tokenId: phone.device.tokenId!,
      });
      const shown = /class="otp"[^>]*>(\d{6})</.exec(waiting.body)?.[1];
      const request = (await phone.login.inbox()).find((pending) => pending.otp === shown)!;
      await phone.login.approve(request, { liveFaceTemplate: phone.face, grantedScopes: request.scopes });
      const complete = waiting.url.href.replace(/\/wait$/, '/complete');
      const pages = await Promise.all(Array.from({ length: 5 }, () => browser.visit(complete)));
      expect(pages.filter((done) => done.body.includes('name="SAMLResponse"'))).toHaveLength(1);
    });

    it('answers IsPassive with a signed NoPassive, and an unavailable NameID format with InvalidNameIDPolicy', async () => {
      const passive = spFor('pages-sp', { passive: true });
      const answer = await new BrowserSession().visit(await passive.getAuthorizeUrlAsync('', undefined, {}));
      const passiveXml = Buffer.from(BrowserSession.field(answer.body, 'SAMLResponse'), 'base64').toString('utf8');
      expect(passiveXml).toContain('urn:oasis:names:tc:SAML:2.0:status:NoPassive');
      expect(passiveXml).not.toContain('Assertion');

      const email = spFor('pages-sp', { identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' });
      const refused = await new BrowserSession().visit(await email.getAuthorizeUrlAsync('', undefined, {}));
      const refusedXml = Buffer.from(BrowserSession.field(refused.body, 'SAMLResponse'), 'base64').toString('utf8');
      expect(refusedXml).toContain('urn:oasis:names:tc:SAML:2.0:status:Requester');
      expect(refusedXml).toContain('urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy');
    });

    it('escapes a hostile linked value: the signed Response still verifies and carries the value verbatim', async () => {
      const hostile = `a"><saml:Attribute Name="admin">&amp;</x>`;
      const put = await admin(
        `/admin/services/pages-sp/account-links/${phone.device.tokenId}`,
        { username: hostile },
        'PUT',
      );
      expect(put.status).toBe(201);
      const { fields, xml } = await signIn(viaRedirect(sp));
      const { profile } = await sp.validatePostResponseAsync(fields);
      expect(profile!['urn:oid:0.9.2342.19200300.100.1.1']).toBe(hostile);
      expect(xml).not.toContain('<saml:Attribute Name="admin"');
    });
  });

  // Last in the file: it spends this minute's budget of 127.0.0.1.
  it('limits SAML requests per client IP (429 problem+json with Retry-After past the limit)', async () => {
    let response: Response | undefined;
    for (let sent = 0; sent <= SAML_LIMIT; sent += 1) {
      response = await fetch(`${issuer}/saml/sso?SAMLRequest=AAAA`);
      if (response.status === 429) break;
      expect(response.status).toBe(400);
    }
    expect(response!.status).toBe(429);
    expect(response!.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(response!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

function decodeHtml(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
