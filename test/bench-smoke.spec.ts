import { jest } from '@jest/globals';
import { measureCryptoCeiling, runBareLoop } from '../bench/support/ceilings.js';
import { routeFor, runLoad, warmUp } from '../bench/support/load.js';
import { measureOidcPhases } from '../bench/support/oidc-phases.js';
import { formatOidcTable, oidcBenchResult } from '../bench/support/oidc-report.js';
import { populate } from '../bench/support/population.js';
import { BENCH_ADMIN_KEY, prepareBackends, startBenchServer, startInProcessServer } from '../bench/support/server.js';
import { servicesUnderTest } from './support/test-env.js';

jest.setTimeout(120_000);

/**
 * The benchmark still works (issue 10: "not part of npm test beyond a tiny smoke run"): a moment of each ceiling and
 * of the HTTP + WebSocket load, with two phones. It checks that logins complete without error — no speed figures.
 */
describe('benchmark smoke run', () => {
  it('measures the crypto primitives, runs the bare loop and the HTTP login load with no error', async () => {
    const crypto = await measureCryptoCeiling(0.05);
    for (const perSecond of Object.values(crypto.opsPerSecond)) expect(perSecond).toBeGreaterThan(0);
    expect(crypto.loginsPerSecondPerCore).toBeGreaterThan(0);

    const prepared = await prepareBackends(servicesUnderTest);
    // With PostgreSQL and Redis, two servers on the same data, as the benchmark's two nodes: every login's socket is
    // on the other node than its initiate (routeFor), so `otp_ready` and `approved` cross through Redis.
    const servers: Awaited<ReturnType<typeof startInProcessServer>>[] = [];
    try {
      for (let i = 0; i < (prepared.shared ? 2 : 1); i += 1)
        servers.push(await startInProcessServer(prepared.settings));
      const [first] = servers;
      if (!first) throw new Error('no server');
      const population = await populate(first.baseUrl, BENCH_ADMIN_KEY, 2);
      try {
        const targets = servers.map((server, index) => ({ name: `node ${index + 1}`, baseUrl: server.baseUrl }));
        const plan = { ...population, concurrency: 2, targets };
        await warmUp(plan);
        const bare = await runBareLoop(first.app, plan, 0.5);
        expect(bare.errors.entries()).toEqual([]);
        expect(bare.loginsCompleted).toBeGreaterThan(0);
        const load = await runLoad(plan, 0.5);
        expect(load.errors.entries()).toEqual([]);
        expect(load.timings.length).toBeGreaterThan(0);
      } finally {
        population.dispose();
      }
    } finally {
      for (const server of servers) await server.close();
      await prepared.dispose();
    }
  });

  it('routes each login across the nodes: the socket never on the initiating node, the verify on either', () => {
    const targets = ['a', 'b'].map((name) => ({ name, baseUrl: `http://${name}` }));
    const routes = Array.from({ length: 8 }, (_, login) => routeFor(targets, login));
    for (const route of routes) expect(route.socket).not.toBe(route.initiate);
    const combinations = new Set(routes.map((route) => `${route.initiate}>${route.socket}>${route.verify}`));
    expect(combinations).toEqual(
      new Set([
        'http://a>http://b>http://a',
        'http://b>http://a>http://b',
        'http://a>http://b>http://b',
        'http://b>http://a>http://a',
      ]),
    );
    const single = routeFor([targets[0]], 5);
    expect(single).toEqual({ initiate: 'http://a', socket: 'http://a', verify: 'http://a' });
  });
});

/**
 * The OIDC benchmark still works (issue 10): a moment of each phase — the IdP's code flow with the phone approving,
 * then the bare oidc-provider — two flows in flight. Both must complete flows without error; no speed figures.
 */
describe('OIDC benchmark smoke run', () => {
  it('runs code flows against the IdP (phone approval) and a bare oidc-provider with no error', async () => {
    const server = await startBenchServer(servicesUnderTest);
    try {
      const options = { flowsConcurrency: 2, durationSeconds: 0.5, devices: 2 };
      const phases = await measureOidcPhases({ ...options, baseUrl: server.baseUrl, adminKey: BENCH_ADMIN_KEY });
      for (const phase of [phases.idtoken, phases.bare]) {
        expect(phase.errors.entries()).toEqual([]);
        expect(phase.timings.length).toBeGreaterThan(0);
      }
      const result = oidcBenchResult({
        startedAt: new Date().toISOString(),
        options,
        backends: server.backends,
        phases,
      });
      expect(result.overhead.flowsPerSecond).toBeGreaterThan(0);
      expect(formatOidcTable(result)).toContain('overhead');
    } finally {
      await server.close();
    }
  });
});
