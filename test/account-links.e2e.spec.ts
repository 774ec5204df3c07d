import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AccountLinks } from '#idtoken/accounts';
import { ApiKeyService } from '#idtoken/admin';
import { BOOTSTRAP_ADMIN_KEY } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

const HEADER = 'tokenId,email,emailVerified,upn,immutableId,username,groups';

interface AuditRow {
  type: string;
  actor: string;
  subject: string;
  data: { serviceId?: string; before?: Record<string, unknown>; after?: Record<string, unknown> };
}

describe('account links: enterprise attributes per service and tokenId (admin API)', () => {
  let server: RunningApp;
  let operatorKey: string;

  beforeAll(async () => {
    server = await startTestApp({ IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY });
    operatorKey = (await server.app.get(ApiKeyService).create({ name: 'ops', role: 'operator' })).apiKey;
  });
  afterAll(async () => {
    await server?.close();
  });

  const admin = () => ({ authorization: `Bearer ${BOOTSTRAP_ADMIN_KEY}` });
  const operator = () => ({ authorization: `Bearer ${operatorKey}` });
  const http = () => request(server.baseUrl);
  const linksOf = (serviceId: string) => `/admin/services/${serviceId}/account-links`;
  let services = 0;
  /** A fresh service per test, so each test sees only its own links. */
  const newService = async (): Promise<string> => {
    const serviceId = `corp-${++services}`;
    await http()
      .post('/admin/services')
      .set(admin())
      .send({
        serviceId,
        name: 'Corp',
        url: 'https://corp.example',
        allowedScopes: ['identity:basic'],
        defaultScopes: [],
      })
      .expect(201);
    return serviceId;
  };
  const auditOf = (tokenId: string): Promise<AuditRow[]> =>
    server.app
      .get(DataSource)
      .query(`SELECT type, actor, subject, data FROM audit_events WHERE subject = $1 ORDER BY id`, [tokenId]);
  const countLinks = async (serviceId: string): Promise<number> => {
    const [row] = await server.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM account_links WHERE service_id = $1`, [serviceId]);
    return row.n;
  };
  const importCsv = (serviceId: string, lines: string[]) =>
    http()
      .post(`${linksOf(serviceId)}/import`)
      .set(admin())
      .send({ csv: [HEADER, ...lines].join('\r\n') + '\r\n' });

  it('creates (201), reads, replaces (200) and deletes (204) a link, auditing each change with before and after', async () => {
    const serviceId = await newService();
    const tokenId = randomUUID();
    const url = `${linksOf(serviceId)}/${tokenId}`;

    const created = await http()
      .put(url)
      .set(admin())
      .send({ email: ' Ada@Example.com ', emailVerified: true, upn: 'ada@corp.example', groups: ['staff', 'staff'] })
      .expect(201);
    expect(created.body).toEqual({
      serviceId,
      tokenId,
      email: 'Ada@Example.com',
      emailVerified: true,
      upn: 'ada@corp.example',
      immutableId: null,
      username: null,
      groups: ['staff'],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await http().get(url).set(operator()).expect(200)).body).toEqual(created.body);

    const replaced = await http()
      .put(url)
      .set(operator())
      .send({ username: 'ada', immutableId: 'Zm9vYmFy', groups: ['admins'] })
      .expect(200);
    expect(replaced.body).toMatchObject({
      email: null,
      emailVerified: false,
      upn: null,
      immutableId: 'Zm9vYmFy',
      username: 'ada',
      groups: ['admins'],
      createdAt: created.body.createdAt,
    });
    // The same attributes again change nothing and write nothing.
    await http()
      .put(url)
      .set(admin())
      .send({ username: 'ada', immutableId: 'Zm9vYmFy', groups: ['admins'] })
      .expect(200);

    await http().delete(url).set(admin()).expect(204);
    await http().get(url).set(admin()).expect(404);
    await http().delete(url).set(admin()).expect(404);

    const events = await auditOf(tokenId);
    expect(events.map((event) => [event.type, event.actor])).toEqual([
      ['account_link.created', 'admin:bootstrap'],
      ['account_link.updated', expect.stringMatching(/^operator:/)],
      ['account_link.deleted', 'admin:bootstrap'],
    ]);
    expect(events[0]!.data).toEqual({ serviceId, after: created.body });
    expect(events[1]!.data).toEqual({ serviceId, before: created.body, after: replaced.body });
    expect(events[2]!.data).toEqual({ serviceId, before: replaced.body });
  });

  it('refuses a bad body or tokenId with 400 and an unknown service with 404', async () => {
    const serviceId = await newService();
    const url = `${linksOf(serviceId)}/${randomUUID()}`;
    const bad = await http().put(url).set(admin()).send({ email: 'not-an-email', extra: 1 }).expect(400);
    expect(bad.body.code).toBe('invalid_request');
    expect(bad.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['(root)', 'email']);
    await http().put(url).set(admin()).send({ emailVerified: true }).expect(400);
    await http()
      .put(url)
      .set(admin())
      .send({ groups: ['a;b'] })
      .expect(400);
    await http()
      .get(`${linksOf(serviceId)}/not-a-uuid`)
      .set(admin())
      .expect(400);

    for (const response of [
      await http()
        .get(`${linksOf('nobody')}/${randomUUID()}`)
        .set(admin()),
      await http()
        .put(`${linksOf('nobody')}/${randomUUID()}`)
        .set(admin())
        .send({}),
      await http().get(linksOf('nobody')).set(admin()),
      await http()
        .get(`${linksOf('nobody')}/export`)
        .set(admin()),
      await http()
        .post(`${linksOf('nobody')}/import`)
        .set(admin())
        .send({ csv: HEADER }),
    ]) {
      expect([response.status, response.body.code]).toEqual([404, 'not_found']);
    }
  });

  it('answers 401 without a key and 403 to a station key', async () => {
    const serviceId = await newService();
    const station = await http().post('/admin/stations').set(admin()).send({ name: 'desk' }).expect(201);
    const stationKey = { authorization: `Bearer ${station.body.apiKey}` };
    const url = `${linksOf(serviceId)}/${randomUUID()}`;
    await http().get(url).expect(401);
    const refused = await http().put(url).set(stationKey).send({ username: 'x' }).expect(403);
    expect(refused.body.code).toBe('forbidden');
    await http().get(linksOf(serviceId)).set(stationKey).expect(403);
    await http()
      .get(`${linksOf(serviceId)}/export`)
      .set(stationKey)
      .expect(403);
    expect(await countLinks(serviceId)).toBe(0);
  });

  it('keeps email and username unambiguous per service, regardless of case and column (409)', async () => {
    const serviceId = await newService();
    const first = randomUUID();
    await http()
      .put(`${linksOf(serviceId)}/${first}`)
      .set(admin())
      .send({ email: 'bob@example.com', username: 'bob' });

    const sameEmail = await http()
      .put(`${linksOf(serviceId)}/${randomUUID()}`)
      .set(admin())
      .send({ email: 'BOB@example.com' })
      .expect(409);
    expect(sameEmail.body).toMatchObject({ code: 'conflict', field: 'email', tokenId: first });
    const usernameIsEmail = await http()
      .put(`${linksOf(serviceId)}/${randomUUID()}`)
      .set(admin())
      .send({ username: 'Bob@Example.com' })
      .expect(409);
    expect(usernameIsEmail.body).toMatchObject({ code: 'conflict', field: 'username' });

    // Another service may use the same aliases.
    const otherService = await newService();
    await http()
      .put(`${linksOf(otherService)}/${randomUUID()}`)
      .set(admin())
      .send({ email: 'bob@example.com', username: 'bob' })
      .expect(201);
  });

  it('resolves an alias (email or username, any case) to its tokenId within one service', async () => {
    const serviceId = await newService();
    const otherService = await newService();
    const tokenId = randomUUID();
    await http()
      .put(`${linksOf(serviceId)}/${tokenId}`)
      .set(admin())
      .send({ email: 'Carol@Example.com', username: 'carol.w' })
      .expect(201);
    const links = server.app.get(AccountLinks);
    expect(await links.findTokenIdByAlias(serviceId, 'carol@example.com')).toBe(tokenId);
    expect(await links.findTokenIdByAlias(serviceId, ' CAROL.W ')).toBe(tokenId);
    expect(await links.findTokenIdByAlias(serviceId, 'carol')).toBeUndefined();
    expect(await links.findTokenIdByAlias(serviceId, '')).toBeUndefined();
    expect(await links.findTokenIdByAlias(otherService, 'carol.w')).toBeUndefined();
    expect((await links.get(serviceId, tokenId.toUpperCase()))?.username).toBe('carol.w');
  });

  it('lists links by tokenId, a page at a time', async () => {
    const serviceId = await newService();
    const tokenIds = Array.from({ length: 5 }, () => randomUUID()).sort();
    for (const [i, tokenId] of tokenIds.entries()) {
      await http()
        .put(`${linksOf(serviceId)}/${tokenId}`)
        .set(admin())
        .send({ username: `user${i}` })
        .expect(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { links: { tokenId: string }[]; nextCursor: string | null } = (
        await http()
          .get(linksOf(serviceId))
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set(operator())
          .expect(200)
      ).body;
      seen.push(...page.links.map((link) => link.tokenId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(tokenIds);
    expect(pages).toBe(3);
    await http().get(linksOf(serviceId)).query({ limit: 0 }).set(admin()).expect(400);
    await http().get(linksOf(serviceId)).query({ cursor: 'x' }).set(admin()).expect(400);
  });

  it('imports a CSV in one go and exports it back unchanged', async () => {
    const serviceId = await newService();
    const [a, b, c] = Array.from({ length: 3 }, () => randomUUID()).sort();
    const existing = await http()
      .put(`${linksOf(serviceId)}/${a}`)
      .set(admin())
      .send({ email: 'old@example.com' })
      .expect(201);
    const rows = [
      `${a},ann@example.com,true,ann@corp.example,Zm9v,ann,staff;admins`,
      `${b},,false,,,"Smith, Bob",`,
      `${c},cy@example.com,false,,,,"staff;""quoted"" group"`,
    ];
    const imported = await importCsv(serviceId, rows).expect(200);
    expect(imported.body).toEqual({ created: 2, updated: 1, unchanged: 0 });

    const link = server.app.get(AccountLinks);
    expect(await link.findTokenIdByAlias(serviceId, 'smith, bob')).toBe(b);
    expect((await link.get(serviceId, c))?.groups).toEqual(['staff', '"quoted" group']);
    const [updated] = (await auditOf(a)).filter((event) => event.type === 'account_link.updated');
    expect(updated!.data.before).toEqual(existing.body);
    expect(updated!.data.after).toMatchObject({ email: 'ann@example.com', groups: ['staff', 'admins'] });

    const exported = await http()
      .get(`${linksOf(serviceId)}/export`)
      .set(operator())
      .expect(200);
    expect(exported.headers['content-type']).toMatch(/^text\/csv/);
    expect(exported.headers['content-disposition']).toBe(`attachment; filename="account-links-${serviceId}.csv"`);
    expect(exported.text).toBe([HEADER, ...rows].join('\r\n') + '\r\n');

    // Importing the export again finds nothing to change.
    const again = await http()
      .post(`${linksOf(serviceId)}/import`)
      .set(admin())
      .send({ csv: exported.text });
    expect(again.body).toEqual({ created: 0, updated: 0, unchanged: 3 });
  });

  it('lets aliases move between tokenIds of one file', async () => {
    const serviceId = await newService();
    const [a, b] = [randomUUID(), randomUUID()];
    await importCsv(serviceId, [`${a},a@example.com,,,,,`, `${b},b@example.com,,,,,`]).expect(200);
    await importCsv(serviceId, [`${a},b@example.com,,,,,`, `${b},a@example.com,,,,,`]).expect(200);
    expect(await server.app.get(AccountLinks).findTokenIdByAlias(serviceId, 'a@example.com')).toBe(b);
  });

  it('stores nothing when one row is invalid, and names every line and field at fault (422)', async () => {
    const serviceId = await newService();
    const held = randomUUID();
    await http()
      .put(`${linksOf(serviceId)}/${held}`)
      .set(admin())
      .send({ username: 'taken' })
      .expect(201);
    const [a, b] = [randomUUID(), randomUUID()];
    const response = await importCsv(serviceId, [
      `${a},ok@example.com,true,,,,`,
      `not-a-uuid,bad-email,maybe,,,,`,
      `${b},OK@example.com,,,,,`,
      `${a},,,,,,`,
      `${randomUUID()},,,,,TAKEN,`,
      `${randomUUID()},,,`,
    ]).expect(422);
    expect(response.body).toMatchObject({
      status: 422,
      code: 'invalid_rows',
      detail: expect.stringContaining('nothing was stored'),
    });
    expect(response.body.errors).toEqual([
      { line: 3, field: 'tokenId', detail: 'must be a UUID' },
      { line: 3, field: 'emailVerified', detail: 'must be true, false or empty' },
      { line: 3, field: 'email', detail: 'must be an email address' },
      { line: 4, field: 'email', detail: expect.stringContaining('line 2') },
      { line: 5, field: 'tokenId', detail: expect.stringContaining('line 2') },
      { line: 6, field: 'username', detail: expect.stringContaining(held) },
      { line: 7, field: '(row)', detail: 'has 4 fields; the header has 7' },
    ]);
    expect(await countLinks(serviceId)).toBe(1);
  });

  it('refuses CSV syntax and header errors with their line (422), and a body without csv (400)', async () => {
    const serviceId = await newService();
    const syntax = await importCsv(serviceId, [`${randomUUID()},"open,,,,,`]).expect(422);
    expect(syntax.body.errors).toEqual([{ line: 2, field: '(csv)', detail: expect.stringContaining('not closed') }]);
    const header = await http()
      .post(`${linksOf(serviceId)}/import`)
      .set(admin())
      .send({ csv: `tokenId,email\r\n${randomUUID()},a@example.com\r\n` })
      .expect(422);
    expect(header.body.errors).toEqual([{ line: 1, field: '(header)', detail: expect.stringContaining(HEADER) }]);
    await http()
      .post(`${linksOf(serviceId)}/import`)
      .set(admin())
      .send({})
      .expect(400);
    expect(await countLinks(serviceId)).toBe(0);
  });
});
