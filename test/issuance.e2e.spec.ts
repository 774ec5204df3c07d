import request from 'supertest';
import { createTestCsca, createTestPassport, type TestPassportDefects } from '#idtoken/issuance';
import { PLACEHOLDER_PORTRAIT_WEBP, ServerError, Station, type IdTokenClient } from '../apps/device/src/index.js';
import { BOOTSTRAP_ADMIN_KEY, issueCredential, newDevice, setUpStation } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

describe('issuance gateway (spec §3) over HTTP', () => {
  let server: RunningApp;
  let station: Station;
  let admin: IdTokenClient;
  let csca: Awaited<ReturnType<typeof setUpStation>>['csca'];

  beforeAll(async () => {
    server = await startTestApp({ IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY });
    ({ station, csca, admin } = await setUpStation(server.baseUrl));
  });
  afterAll(async () => server?.close());

  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServerError);
    return error as ServerError;
  };

  it('issues a high-assurance identity VDS for a passport with Active Authentication, which a phone verifies', async () => {
    const issued = await issueCredential(station, csca, {
      aa: 'ecdsa',
      mrz: { givenNames: 'ANNA MARIA', surname: 'VAN DIJK', birthDate: '1990-04-01' },
    });
    expect(issued.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(issued.vds).toMatch(/^VDS1:/);
    const payload = await (await newDevice(server.baseUrl)).receiveCredential(issued.vds);
    expect(payload).toMatchObject({
      gn: 'ANNA MARIA',
      fn: 'VAN DIJK',
      dob: '1990-04-01',
      tid: issued.tokenId,
      lvl: 'high',
      nat: 'NLD',
    });
    expect(Buffer.from(payload.face)).toEqual(Buffer.from(issued.face));
  });

  it.each([
    ['without Active Authentication: substantial', false, 'substantial'],
    ['with RSA Active Authentication (ISO 9796-2): high', 'rsa', 'high'],
  ] as const)('issues %s', async (_, aa, level) => {
    const issued = await issueCredential(station, csca, { aa });
    const payload = await (await newDevice(server.baseUrl)).receiveCredential(issued.vds);
    expect(payload.lvl).toBe(level);
  });

  describe('Active Authentication freshness (docs/decisions.md)', () => {
    const face = {
      template: new Uint8Array(64),
      livenessScore: 0.99,
      matchScore: 0.99,
      photoWebp: PLACEHOLDER_PORTRAIT_WEBP,
    };
    const chipOf = async () => {
      const passport = await createTestPassport({ csca, aa: 'ecdsa', photo: PLACEHOLDER_PORTRAIT_WEBP });
      return { ...passport, signChallenge: passport.signChallenge };
    };
    const levelOf = async (vds: string) => (await (await newDevice(server.baseUrl)).receiveCredential(vds)).lvl;

    it('gives only substantial when the chip signed a challenge the station chose itself', async () => {
      const issued = await station.issue(Station.issuanceRequest(await chipOf(), face, new Uint8Array(16).fill(9)));
      expect(await levelOf(issued.vds)).toBe('substantial');
    });

    it('gives only substantial when a server challenge is replayed', async () => {
      const chip = await chipOf();
      const challenge = await station.challenge();
      const body = Station.issuanceRequest(chip, face, challenge);
      expect(await levelOf((await station.issue(body)).vds)).toBe('high');
      expect(await levelOf((await station.issue(body)).vds)).toBe('substantial');
    });

    it('does not honour a challenge issued to another station', async () => {
      const { station: other } = await Station.register(admin, 'other desk');
      const challenge = await other.challenge();
      const issued = await station.issue(Station.issuanceRequest(await chipOf(), face, challenge));
      expect(await levelOf(issued.vds)).toBe('substantial');
    });

    it('refuses a challenge request from a key that is not a station', async () => {
      const response = await request(server.baseUrl)
        .post('/admin/issuance/challenges')
        .set('authorization', `Bearer ${BOOTSTRAP_ADMIN_KEY}`)
        .expect(403);
      expect(response.body.code).toBe('station_not_authorized');
    });
  });

  it('issues for a TD1 identity card', async () => {
    const issued = await issueCredential(station, csca, {
      aa: false,
      mrz: { format: 'TD1', documentNumber: 'IDC123456' },
    });
    const payload = await (await newDevice(server.baseUrl)).receiveCredential(issued.vds);
    expect(payload).toMatchObject({ dty: 'ID', doc: 'IDC123456' });
  });

  it.each<[string, TestPassportDefects, string]>([
    ['a tampered DG1', { tamperDg1: true }, 'dg1_hash'],
    ['a tampered DG2', { tamperDg2: true }, 'dg2_hash'],
    ['a DSC signed by a look-alike CSCA', { dscSignedByOtherCsca: true }, 'dsc_untrusted'],
    ['an expired DSC', { dscExpired: true }, 'dsc_expired'],
    ['an altered SOD signature', { alterSodSignature: true }, 'sod_signature'],
    ['a hash algorithm that does not match the hashes', { sodHashAlgorithmMismatch: true }, 'dg1_hash'],
    ['DG2 missing from the SOD', { omitDg2FromSod: true }, 'dg2_missing'],
    ['a wrong MRZ check digit', { wrongMrzCheckDigit: true }, 'mrz_check_digit'],
  ])('refuses %s with 422 passive_auth_failed naming the check', async (_, defects, check) => {
    const error = await refusal(issueCredential(station, csca, { aa: false, defects }));
    expect(error.status).toBe(422);
    expect(error.problem).toMatchObject({ code: 'passive_auth_failed', check });
  });

  it('refuses a passport whose CSCA has expired', async () => {
    const expired = await createTestCsca({
      commonName: 'Expired CSCA',
      notBefore: new Date(Date.now() - 3 * 365 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    await Station.registerCsca(admin, expired.certificatePem);
    const error = await refusal(issueCredential(station, expired, { aa: false }));
    expect(error.problem).toMatchObject({ code: 'passive_auth_failed', check: 'csca_expired' });
  });

  it('refuses a passport from a CSCA that is not on the master list', async () => {
    const unknown = await createTestCsca({ commonName: 'Unlisted CSCA' });
    const error = await refusal(issueCredential(station, unknown, { aa: false }));
    expect(error.problem).toMatchObject({ code: 'passive_auth_failed', check: 'dsc_untrusted' });
  });

  it('refuses a chip whose Active Authentication signature is wrong', async () => {
    const passport = await createTestPassport({ csca, aa: 'ecdsa', photo: PLACEHOLDER_PORTRAIT_WEBP });
    const body = Station.issuanceRequest(
      { ...passport, signChallenge: () => passport.signChallenge(new Uint8Array(8).fill(7)) },
      { template: new Uint8Array(64), livenessScore: 0.99, matchScore: 0.99, photoWebp: PLACEHOLDER_PORTRAIT_WEBP },
    );
    const error = await refusal(station.issue(body));
    expect(error.status).toBe(422);
    expect(error.code).toBe('active_auth_failed');
  });

  it.each([
    ['a photo that is not WEBP', new Uint8Array(512).fill(0xff), new Uint8Array(64)],
    [
      'a WEBP photo over 4096 bytes',
      new Uint8Array([...PLACEHOLDER_PORTRAIT_WEBP, ...new Uint8Array(4100)]),
      new Uint8Array(64),
    ],
    ['a face template over 1024 bytes', PLACEHOLDER_PORTRAIT_WEBP, new Uint8Array(1025)],
  ])('refuses %s with 400 invalid_request (it could not fit the identity manifest)', async (_, photoWebp, template) => {
    const passport = await createTestPassport({ csca, aa: false, photo: PLACEHOLDER_PORTRAIT_WEBP });
    const error = await refusal(
      station.issue(Station.issuanceRequest(passport, { template, livenessScore: 0.99, matchScore: 0.99, photoWebp })),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_request');
  });

  it('refuses a face below the liveness threshold with 422 liveness_failed', async () => {
    const passport = await createTestPassport({ csca, aa: false, photo: PLACEHOLDER_PORTRAIT_WEBP });
    const body = Station.issuanceRequest(passport, {
      template: new Uint8Array(64),
      livenessScore: 0.2,
      matchScore: 0.99,
      photoWebp: PLACEHOLDER_PORTRAIT_WEBP,
    });
    const error = await refusal(station.issue(body));
    expect(error.problem).toMatchObject({ status: 422, code: 'liveness_failed' });
  });

  it('answers 403 station_not_authorized to a key that is not a station', async () => {
    const response = await request(server.baseUrl)
      .post('/admin/issuance')
      .set('authorization', `Bearer ${BOOTSTRAP_ADMIN_KEY}`)
      .send({})
      .expect(403);
    expect(response.body.code).toBe('station_not_authorized');
  });

  it('refuses malformed issuance bodies with invalid_request naming the fields', async () => {
    const { apiKey: stationKey } = await Station.register(admin, 'desk for bad bodies');
    const response = await request(server.baseUrl)
      .post('/admin/issuance')
      .set('authorization', `Bearer ${stationKey}`)
      .send({
        dg1: 'not base64!',
        dg2: 'AA==',
        sod: 'AA==',
        face: { template: 'AA==', livenessScore: 2, matchScore: 1 },
        photoWebp: 'AA==',
        extra: 1,
      })
      .expect(400);
    expect(response.body.code).toBe('invalid_request');
    expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['face.livenessScore', '(root)']),
    );
  });

  describe('CSCA master list (spec §9)', () => {
    it('lists registered CSCAs', async () => {
      const response = await request(server.baseUrl)
        .get('/admin/trust/csca')
        .set('authorization', `Bearer ${BOOTSTRAP_ADMIN_KEY}`)
        .expect(200);
      expect(response.body.map((c: { certificatePem: string }) => c.certificatePem.trim())).toContain(
        csca.certificatePem.trim(),
      );
    });

    it('refuses a second copy (409), a non-PEM (400) and a certificate that is not a CA (400)', async () => {
      const post = (certificatePem: string) =>
        request(server.baseUrl)
          .post('/admin/trust/csca')
          .set('authorization', `Bearer ${BOOTSTRAP_ADMIN_KEY}`)
          .send({ certificatePem });
      expect((await post(csca.certificatePem).expect(409)).body.code).toBe('conflict');
      expect((await post('hello').expect(400)).body.code).toBe('invalid_request');
      const passport = await createTestPassport({ csca, aa: false });
      const dscPem = passport.documentSigner.certificatePem;
      expect((await post(dscPem).expect(400)).body.detail).toMatch(/not a CA certificate|not self-signed/);
    });
  });
});
