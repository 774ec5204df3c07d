import { jest } from '@jest/globals';
import { measureCryptoCeiling, runBareLoop } from '../bench/support/ceilings.js';
import { runLoad, warmUp } from '../bench/support/load.js';
import { populate } from '../bench/support/population.js';
import { BENCH_ADMIN_KEY, startBenchServer } from '../bench/support/server.js';
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

    const server = await startBenchServer(servicesUnderTest);
    try {
      const population = await populate(server.baseUrl, BENCH_ADMIN_KEY, 2);
      try {
        const plan = {
          baseUrl: server.baseUrl,
          service: population.service,
          phones: population.phones,
          concurrency: 2,
        };
        await warmUp(plan);
        const bare = await runBareLoop(server.app, plan, 0.5);
        expect(bare.errors.entries()).toEqual([]);
        expect(bare.loginsCompleted).toBeGreaterThan(0);
        const load = await runLoad(plan, 0.5);
        expect(load.errors.entries()).toEqual([]);
        expect(load.timings.length).toBeGreaterThan(0);
      } finally {
        population.dispose();
      }
    } finally {
      await server.close();
    }
  });
});
