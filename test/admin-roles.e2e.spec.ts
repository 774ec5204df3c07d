import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ApiKeyService, ROLES, type Role } from '#idtoken/admin';
import { routesOf } from './support/routes.js';
import { BOOTSTRAP_ADMIN_KEY } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

/** A concrete URL for a route template: a syntactically valid value for each parameter. */
const concrete = (path: string) =>
  path.replace(/:(\w+)/g, (_, name: string) => (/id$/i.test(name) && name !== 'serviceId' ? randomUUID() : 'x'));

/**
 * spec §9 / the admin issue's role matrix: every route that declares roles is called with a key of every role —
 * a role not declared gets 403, a declared one gets past the guard (whatever the handler then says of the empty
 * request). Generated from the application's routes, so a new admin route without roles fails here.
 */
describe('admin role matrix (every /admin route × every role)', () => {
  let server: RunningApp;
  const keys = {} as Record<Role, string>;

  beforeAll(async () => {
    server = await startTestApp({ IDTOKEN_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_ADMIN_KEY });
    const apiKeys = server.app.get(ApiKeyService);
    keys.admin = BOOTSTRAP_ADMIN_KEY;
    keys.operator = (await apiKeys.create({ name: 'matrix operator', role: 'operator' })).apiKey;
    const station = await request(server.baseUrl)
      .post('/admin/stations')
      .set('authorization', `Bearer ${BOOTSTRAP_ADMIN_KEY}`)
      .send({ name: 'matrix desk' })
      .expect(201);
    keys.station = station.body.apiKey;
  });
  afterAll(async () => server?.close());

  it('finds every /admin route declaring its roles', () => {
    const adminRoutes = routesOf(server).filter((route) => route.path.startsWith('/admin'));
    expect(adminRoutes.length).toBeGreaterThan(20);
    expect(adminRoutes.filter((route) => !route.roles?.length)).toEqual([]);
  });

  it('answers 403 to a role a route does not declare, and lets declared roles past the guard', async () => {
    const guarded = routesOf(server).filter((route) => route.roles?.length);
    const outcomes: string[] = [];
    for (const route of guarded) {
      const url = concrete(route.path);
      for (const role of ROLES) {
        const verb = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
        const call = request(server.baseUrl)[verb](url).set('authorization', `Bearer ${keys[role]}`);
        const response = await (route.method === 'GET' || route.method === 'DELETE' ? call : call.send({}));
        const allowed = route.roles!.includes(role);
        const passed = response.status !== 401 && response.status !== 403;
        if (allowed !== passed) outcomes.push(`${route.method} ${route.path} as ${role}: ${response.status}`);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('answers 401 without a key on every guarded route', async () => {
    for (const route of routesOf(server).filter((candidate) => candidate.roles?.length)) {
      const call = request(server.baseUrl)[route.method.toLowerCase() as 'get'](concrete(route.path));
      expect({ route: `${route.method} ${route.path}`, status: (await call).status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 401,
      });
    }
  });
});
