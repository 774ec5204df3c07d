import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { routesOf } from './support/routes.js';
import { startTestApp, type RunningApp } from './support/test-app.js';

/**
 * The OpenAPI document at /docs/openapi.json (issue 8): valid OpenAPI 3 (swagger-parser, with every $ref
 * resolved), and it lists every route of the application except those left out on purpose (protocol endpoints
 * answered by oidc-provider and samlify, HTML pages), with the right method.
 */
describe('OpenAPI document', () => {
  let server: RunningApp;
  let document: OpenAPIV3.Document;

  beforeAll(async () => {
    server = await startTestApp();
    document = (await (await fetch(`${server.baseUrl}/docs/openapi.json`)).json()) as OpenAPIV3.Document;
  });
  afterAll(async () => server?.close());

  it('validates as OpenAPI 3', async () => {
    expect(document.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('lists every documented route, with its method, and nothing that does not exist', () => {
    const routes = routesOf(server).filter((route) => !route.excludedFromOpenApi);
    expect(routes.length).toBeGreaterThan(40);
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item ?? {})
          .filter((key) => ['get', 'put', 'post', 'delete', 'patch'].includes(key))
          .map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const expected = routes.map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(expected.filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !expected.includes(route))).toEqual([]);
  });

  it('documents every admin route as needing a bearer key', () => {
    const admin = Object.entries(document.paths).filter(([path]) => path.startsWith('/admin/'));
    expect(admin.length).toBeGreaterThan(10);
    for (const [path, item] of admin) {
      for (const [method, operation] of Object.entries(item ?? {})) {
        if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
        expect({ route: `${method} ${path}`, security: (operation as OpenAPIV3.OperationObject).security }).toEqual({
          route: `${method} ${path}`,
          security: expect.arrayContaining([expect.objectContaining({ bearer: [] })]),
        });
      }
    }
  });
});
