import { randomUUID } from 'node:crypto';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { ApiKeyService, ROLES, ROLES_KEY, type Role } from '#idtoken/admin';
import { BOOTSTRAP_ADMIN_KEY } from './support/credentials.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

interface Route {
  method: string;
  path: string;
  roles: Role[] | undefined;
}

/** Every route of the application with its declared roles, read from Nest's own metadata. */
function routesOf(server: RunningApp): Route[] {
  const routes: Route[] = [];
  for (const module of server.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const classRoles = Reflect.getMetadata(ROLES_KEY, controller) as Role[] | undefined;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const full = `/${[base, path]
          .map((part) => part.replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        const roles = (Reflect.getMetadata(ROLES_KEY, handler) as Role[] | undefined) ?? classRoles;
        routes.push({ method: RequestMethod[method], path: full, roles });
      }
    }
  }
  return routes;
}

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
