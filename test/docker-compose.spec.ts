import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '#idtoken/platform';

/** No Docker engine runs here, so the stack is checked as data: services, health checks, wiring, config. */
const root = resolve(import.meta.dirname, '..');

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Service>;
  };

  it('runs PostgreSQL 16, Redis 7 and the IdP, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['idp', 'postgres', 'redis']);
    expect(compose.services.postgres!.image).toMatch(/^postgres:16/);
    expect(compose.services.redis!.image).toMatch(/^redis:7/);
    expect(compose.services.idp!.build).toBe('.');
    for (const service of Object.values(compose.services)) expect(service.healthcheck?.test.length).toBeGreaterThan(1);
  });

  it('starts the IdP only once its dependencies are healthy, and publishes its port', () => {
    expect(compose.services.idp!.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(compose.services.idp!.ports).toContain('3000:3000');
    expect(compose.services.idp!.healthcheck!.test.join(' ')).toContain('/health/ready');
  });

  it('gives the IdP a configuration the server accepts, pointing at the compose services', () => {
    // Substitute ${VAR:-default} and ${VAR:?message} the way compose would with IDTOKEN_MASTER_SECRET set.
    const env = Object.fromEntries(
      Object.entries(compose.services.idp!.environment!).map(([name, value]) => [
        name,
        value.replace(/\$\{IDTOKEN_MASTER_SECRET:\?[^}]*\}/, 'ab'.repeat(32)).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1'),
      ]),
    );
    expect(env).toMatchObject({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://idtoken:idtoken@postgres:5432/idtoken',
      REDIS_URL: 'redis://redis:6379',
    });
    const config = loadConfig(env);
    expect(config.isProduction).toBe(true);
    expect(config.databaseUrl).toBe(env.DATABASE_URL);
    // Production loads its trust material from files (spec §2); compose mounts them read-only.
    expect(config.trustFiles).toBeDefined();
    expect(compose.services.idp!.volumes).toContain('./trust:/etc/idtoken/trust:ro');
  });

  it('has a Dockerfile that builds the server and starts it with its health check', () => {
    const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/apps\/idp\/src\/main.js"\]/);
    expect(dockerfile).toMatch(/HEALTHCHECK .*\n.*\/health\/ready/);
  });
});
