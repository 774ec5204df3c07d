import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail } from '#idtoken/audit';
import { certificatePem, certificateReferenceHex, generateDevPki, type PkiCredential } from '#idtoken/trust';
import { decodeVds } from '#idtoken/vds';
import request from 'supertest';
import {
  BOOTSTRAP_ADMIN_KEY,
  enrolledPhone,
  issueCredential,
  newDevice,
  registerService,
  setUpStation,
} from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';
import { writeTrustFiles } from './support/trust-files.js';

interface CertificateView {
  subject: string;
  certificateReference: string;
  sha256: string;
  notAfter: string;
  revoked: boolean;
}
interface MaterialView {
  source: string;
  anchors: CertificateView[];
  certificates: CertificateView[];
  trustListSigner: CertificateView;
}
interface EnrollmentView {
  tokenId: string;
  status: string;
  vdsFingerprint: string;
}

interface PublishedLists {
  anchors: string[];
  certificates: string[];
  revokedFingerprints: string[];
  revokedCertificateReferences: string[];
}

/** The public TSL or VRL payload (the JWS beside it is checked in trust.e2e). */
async function published(server: RunningApp, list: 'tsl' | 'vrl'): Promise<PublishedLists> {
  return (await (await fetch(`${server.baseUrl}/trust/${list}`)).json()) as PublishedLists;
}

function adminClient(server: () => RunningApp) {
  return (path: string, init: { method?: 'GET' | 'POST'; body?: object; key?: string } = {}) => {
    const agent = request(server().baseUrl);
    const call = init.method === 'POST' ? agent.post(path) : agent.get(path);
    call.set('authorization', `Bearer ${init.key ?? BOOTSTRAP_ADMIN_KEY}`);
    return init.body === undefined ? call : call.send(init.body);
  };
}

/**
 * The operator's side of enrollments, live sessions and the trust store (issue 8): what an admin API of a
 * production IdP answers, checked over real HTTP against the real stores.
 */
describe('admin API: enrollments, live sessions, trust store', () => {
  let server: RunningApp;
  const admin = adminClient(() => server);
  let station: Awaited<ReturnType<typeof setUpStation>>['station'];
  let csca: Awaited<ReturnType<typeof setUpStation>>['csca'];
  let secret: string;
  let serviceVds: string;
  let lastIp = 0;

  const enrolledDevice = () => enrolledPhone(server.baseUrl, { station, csca }, serviceVds);
  const initiate = async (tokenId: string) => {
    lastIp += 1;
    const response = await fetch(`${server.baseUrl}/auth/initiate`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`shop:${secret}`).toString('base64')}`,
        'content-type': 'application/json',
        'x-forwarded-for': `203.0.113.${lastIp}`,
      },
      body: JSON.stringify({ tokenId, serviceId: 'shop' }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { sessionId: string; autoPassword: string };
  };

  /** `shop`'s initiate for `tokenId`, whatever it answers. */
  const initiateAnswer = (tokenId: string) => {
    lastIp += 1;
    return request(server.baseUrl)
      .post('/auth/initiate')
      .set('authorization', `Basic ${Buffer.from(`shop:${secret}`).toString('base64')}`)
      .set('x-forwarded-for', `203.0.113.${lastIp}`)
      .send({ tokenId, serviceId: 'shop' });
  };

  beforeAll(async () => {
    server = await startTestApp({
      IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY,
      ENROLL_RATE_LIMIT_PER_HOUR: '1000',
      INITIATE_PER_TOKEN_LIMIT_PER_MINUTE: '1000',
      TRUST_PROXY: 'true',
    });
    ({ station, csca } = await setUpStation(server.baseUrl));
    ({ serviceSecret: secret, serviceVds } = await registerService(server.baseUrl, {
      serviceId: 'shop',
      name: 'Shop',
      allowedScopes: ['identity:name'],
    }));
  });
  afterAll(async () => server?.close());

  it('counts live sessions across the store, with no OTP, tokenId or service in the answer', async () => {
    const { device } = await enrolledDevice();
    const before = (await admin('/admin/sessions')).body.live as number;
    const sessions = [];
    for (let index = 0; index < 3; index += 1) sessions.push(await initiate(device.tokenId!));
    const during = await admin('/admin/sessions');
    expect(during.status).toBe(200);
    expect(during.headers['cache-control']).toBe('no-store');
    expect(Object.keys(during.body).sort()).toEqual(['countedAt', 'live']);
    expect(during.body.live).toBe(before + 3);
    const text = JSON.stringify(during.body);
    for (const session of sessions) {
      expect(text).not.toContain(session.autoPassword);
      expect(text).not.toContain(session.sessionId);
    }
    expect(text).not.toContain(device.tokenId!);

    // One denied by the phone: it is no longer live.
    await device.client.post('/auth/deny', device.signedRequest('deny', { sessionId: sessions[0]!.sessionId }));
    expect((await admin('/admin/sessions')).body.live).toBe(before + 2);
  });

  it('lists enrollments newest first with a cursor and a status filter, without identity claims', async () => {
    const mine = [];
    for (let index = 0; index < 3; index += 1) mine.push((await enrolledDevice()).device.tokenId!);
    const revoked = await admin('/revoke', { method: 'POST', body: { tokenId: mine[1], reason: 'lost_device' } });
    expect(revoked.status).toBe(200);

    const first = await admin('/admin/enrollments?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.enrollments.map((row: EnrollmentView) => row.tokenId)).toEqual([mine[2], mine[1]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await admin(`/admin/enrollments?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.enrollments[0].tokenId).toBe(mine[0]);
    // Every row once over the pages, however many the earlier tests enrolled.
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await admin(`/admin/enrollments?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...page.body.enrollments.map((row: EnrollmentView) => row.tokenId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining(mine));

    const onlyRevoked = await admin('/admin/enrollments?status=revoked');
    expect(onlyRevoked.body.enrollments.map((row: EnrollmentView) => row.tokenId)).toEqual([mine[1]]);
    expect(onlyRevoked.body.enrollments[0]).toMatchObject({ status: 'revoked', revocationReason: 'lost_device' });
    expect(JSON.stringify(first.body)).not.toMatch(/givenName|familyName|dateOfBirth|documentNumber|photo/);

    for (const query of [
      'status=lost',
      'limit=0',
      'limit=1001',
      'cursor=not-a-cursor',
      `cursor=${randomUUID()}`,
      'extra=1',
    ]) {
      const refused = await admin(`/admin/enrollments?${query}`);
      expect(refused.status).toBe(400);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('shows the trust material with each certificate’s reference, and the VRL entries with who, when and why', async () => {
    const material = await admin('/admin/trust');
    expect(material.status).toBe(200);
    const body = material.body as MaterialView;
    expect(body.source).toBe('development');
    expect(body.anchors).toHaveLength(1);
    expect(body.certificates.length).toBeGreaterThanOrEqual(3);
    // The views agree with the published TSL, certificate by certificate.
    const tsl = await published(server, 'tsl');
    const der = (b64: string) => Buffer.from(b64, 'base64');
    expect(body.anchors.map((view) => view.sha256)).toEqual(
      tsl.anchors.map((b64: string) => createHash('sha256').update(der(b64)).digest('hex')),
    );
    expect(body.certificates.map((view) => view.certificateReference)).toEqual(
      tsl.certificates.map((b64: string) => certificateReferenceHex(der(b64))),
    );
    expect(body.certificates.every((view) => view.revoked === false)).toBe(true);

    const { device, vds } = await enrolledDevice();
    await admin('/revoke', { method: 'POST', body: { tokenId: device.tokenId, reason: 'compromised' } });
    const entries = await admin('/admin/trust/revocations');
    expect(entries.status).toBe(200);
    expect(entries.body.fingerprints[0]).toEqual({
      value: decodeVds(vds).fingerprint,
      reason: 'enrollment revoked: compromised',
      revokedBy: 'admin:bootstrap',
      revokedAt: expect.any(String),
    });
  });

  it('puts a VDS fingerprint on the VRL: 201 once, 200 again, audited; enrollment with it is refused from then on', async () => {
    const issued = await issueCredential(station, csca);
    const fingerprint = decodeVds(issued.vds).fingerprint;
    // The phone accepted the credential before it was revoked: only the server stands in the way now.
    const device = await newDevice(server.baseUrl);
    await device.receiveCredential(issued.vds);
    const body = { fingerprint: fingerprint.toUpperCase(), reason: 'document reported stolen' };
    const added = await admin('/admin/trust/revocations', { method: 'POST', body });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ kind: 'fingerprint', value: fingerprint, revokedBy: 'admin:bootstrap' });
    const again = await admin('/admin/trust/revocations', { method: 'POST', body: { ...body, reason: 'other' } });
    expect(again.status).toBe(200);
    expect(again.body.reason).toBe('document reported stolen');
    const events = await server.app.get(AuditTrail).list({ type: 'trust.vds_revoked', subject: fingerprint });
    expect(events).toHaveLength(1);

    const vrl = await published(server, 'vrl');
    expect(vrl.revokedFingerprints).toContain(fingerprint);
    await expect(device.enroll({ liveFaceTemplate: issued.face })).rejects.toMatchObject({ code: 'vds_revoked' });
    // A holder already enrolled with a credential put on the VRL cannot sign in from then on.
    const { device: holder, vds: holderVds } = await enrolledDevice();
    const listed = await admin('/admin/trust/revocations', {
      method: 'POST',
      body: { fingerprint: decodeVds(holderVds).fingerprint, reason: 'document reported stolen' },
    });
    expect(listed.status).toBe(201);
    const refusedLogin = await initiateAnswer(holder.tokenId!);
    expect(refusedLogin.status).toBe(403);
    expect(refusedLogin.body.code).toBe('enrollment_revoked');
    // A phone fetching the VRL afresh refuses it too.
    await expect((await newDevice(server.baseUrl)).receiveCredential(issued.vds)).rejects.toThrow(/revoked/);

    for (const refused of [
      {},
      { fingerprint, certificateReference: '00'.repeat(8), reason: 'both' },
      { fingerprint: 'zz'.repeat(32), reason: 'x' },
      { certificateReference: '00'.repeat(7), reason: 'short' },
      { fingerprint, reason: '' },
      { fingerprint, reason: 'r'.repeat(201) },
    ]) {
      const answer = await admin('/admin/trust/revocations', { method: 'POST', body: refused });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('invalid_request');
    }
  });

  it('revokes a certificate by reference: the TSL view marks it and credentials it signed are refused', async () => {
    // Last in this file: the identity signer is revoked for good.
    const issued = await issueCredential(station, csca);
    const device = await newDevice(server.baseUrl);
    await device.receiveCredential(issued.vds);
    // Enrolled with a credential of that signer before it is revoked, and signing in.
    const { device: holder } = await enrolledDevice();
    await initiate(holder.tokenId!);
    const material = (await admin('/admin/trust')).body as MaterialView;
    const signer = material.certificates.find((view) => /identity/i.test(view.subject));
    expect(signer).toBeDefined();
    const added = await admin('/admin/trust/revocations', {
      method: 'POST',
      body: { certificateReference: signer!.certificateReference, reason: 'key compromise' },
    });
    expect(added.status).toBe(201);
    const after = (await admin('/admin/trust')).body as MaterialView;
    expect(after.certificates.find((view) => view.sha256 === signer!.sha256)?.revoked).toBe(true);
    const vrl = await published(server, 'vrl');
    expect(vrl.revokedCertificateReferences).toContain(signer!.certificateReference);

    await expect(device.enroll({ liveFaceTemplate: issued.face })).rejects.toMatchObject({
      code: 'vds_untrusted_signer',
    });
    // Threat model F3: an enrollment made with a credential of the revoked signer stops at once — a login and a
    // device-signed request alike — though its own fingerprint is on no list.
    const refusedLogin = await initiateAnswer(holder.tokenId!);
    expect([refusedLogin.status, refusedLogin.body.code]).toEqual([403, 'enrollment_revoked']);
    await expect(holder.listServices()).rejects.toMatchObject({ code: 'enrollment_revoked' });
    const events = await server.app.get(AuditTrail).list({ type: 'trust.certificate_revoked' });
    expect(events[0]).toMatchObject({ subject: signer!.certificateReference, actor: 'admin:bootstrap' });
  });
});

describe('admin API: trust material from files, reloaded without a restart', () => {
  let server: RunningApp;
  let dir: string;
  const admin = adminClient(() => server);

  it('adds a new anchor on reload, and keeps the material in use when the files no longer load (409)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'idtoken-admin-trust-'));
    const pki = await generateDevPki(new Date());
    const other = await generateDevPki(new Date());
    const pem = (credential: PkiCredential) => certificatePem(credential.certificateDer);
    const { settings, anchorsFile: anchors } = await writeTrustFiles(dir, pki);
    server = await startTestApp({ IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY, ...settings });
    try {
      const before = (await admin('/admin/trust')).body as MaterialView;
      expect(before.source).toBe('files');
      expect(before.anchors.map((view) => view.sha256)).toEqual([
        createHash('sha256').update(pki.anchor.certificateDer).digest('hex'),
      ]);

      writeFileSync(anchors, pem(pki.anchor) + pem(other.anchor));
      // Roles per route are the role matrix's (admin-roles.e2e); here: no valid key, no reload.
      const unauthenticated = await admin('/admin/trust/reload', { method: 'POST', key: 'not-a-key' });
      expect(unauthenticated.status).toBe(401);
      const reloaded = await admin('/admin/trust/reload', { method: 'POST' });
      expect(reloaded.status).toBe(200);
      expect((reloaded.body as MaterialView).anchors).toHaveLength(2);
      const tsl = await published(server, 'tsl');
      expect(tsl.anchors).toContain(other.anchor.certificateDer.toString('base64'));

      writeFileSync(anchors, '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n');
      const broken = await admin('/admin/trust/reload', { method: 'POST' });
      expect(broken.status).toBe(409);
      expect(broken.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(broken.body).toMatchObject({ code: 'conflict', detail: expect.stringMatching(/material in use stays/) });
      expect(((await admin('/admin/trust')).body as MaterialView).anchors).toHaveLength(2);
    } finally {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
