import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { transformFileSync } from '@swc/core';
import { bootStages, parseBootLogLine } from '../bench/support/boot-stages.js';
import { readCapacityOptions } from '../bench/support/capacity-options.js';
import { capacityBenchResult, formatCapacityTable } from '../bench/support/capacity-report.js';
import { measureCapacity } from '../bench/support/capacity-run.js';
import { measureCryptoCeiling, runBareLoop } from '../bench/support/ceilings.js';
import { readColdStartOptions } from '../bench/support/cold-start-options.js';
import { coldStartBenchResult, formatColdStartTable, median } from '../bench/support/cold-start-report.js';
import { serverEventLoopLag, sessionSocketsOpen } from '../bench/support/event-loop-lag.js';
import { runInterleaved } from '../bench/support/interleaved.js';
import { endsWithBenchmark, killLeftovers } from '../bench/support/leftovers.js';
import { routeFor, runLoad, runPacedLoad, warmUp, type LoadOutcome } from '../bench/support/load.js';
import { measureOidcPhases } from '../bench/support/oidc-phases.js';
import { formatOidcTable, oidcBenchResult } from '../bench/support/oidc-report.js';
import { openFileShortfall } from '../bench/support/open-file-limit.js';
import { readOptions, UsageError } from '../bench/support/options.js';
import { tokenIdsOf } from '../bench/support/pending-sessions.js';
import { populate, type Population } from '../bench/support/population.js';
import {
  BENCH_ADMIN_KEY,
  prepareBackends,
  startBenchServer,
  startInProcessServer,
  type Backends,
} from '../bench/support/server.js';
import { Tally } from '../bench/support/stats.js';
import { servicesUnderTest } from './support/test-env.js';

jest.setTimeout(120_000);

/**
 * The benchmark still works (issue 10: "not part of npm test beyond a tiny smoke run"): a moment of each ceiling and
 * of the HTTP + WebSocket load, with two phones. It checks that logins complete without error — no speed figures.
 */
describe('benchmark smoke run', () => {
  it('measures the crypto primitives, runs the bare loop, the HTTP login load and a tiny capacity run with no error', async () => {
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
        // The half-load phase's pacing: 8 logins/s for 0.5 s starts exactly 4, each waited for.
        const paced = await runPacedLoad(plan, 8, 0.5);
        expect(paced.errors.entries()).toEqual([]);
        expect(paced.timings).toHaveLength(4);
        expect(paced.elapsedSeconds).toBeGreaterThanOrEqual(0.375);
        await expectTinyCapacityRun(first.baseUrl, prepared.backends, population);
      } finally {
        population.dispose();
      }
    } finally {
      for (const server of servers) await server.close();
      await prepared.dispose();
    }
  });

  it('alternates the bare loop and the load A B B A, and adds up each side', async () => {
    const order: string[] = [];
    const errors = (kind?: string) => {
      const tally = new Tally();
      if (kind) tally.add(kind);
      return tally;
    };
    let slice = 0;
    const bare = async (seconds: number) => {
      slice += 1;
      order.push(`bare ${seconds}`);
      return {
        loginsCompleted: 10 * slice,
        elapsedSeconds: seconds,
        loginsPerSecond: Number.NaN,
        cpuSecondsPerLogin: 0.002,
        errors: errors(slice === 1 ? 'initiate 503' : undefined),
      };
    };
    const http = async (seconds: number): Promise<LoadOutcome> => {
      slice += 1;
      order.push(`http ${seconds}`);
      const timing = { initiateMs: slice, otpReadyMs: 1, verifyMs: 1, approvedMs: 1, endToEndMs: 4 };
      return {
        timings: [timing, timing],
        errors: errors(),
        elapsedSeconds: seconds,
        cpuSeconds: 0.01,
        rssMiB: { atEnd: slice, peak: 100 + slice },
        nodes: [{ name: 'node 1', cpuSeconds: 0.02, coresBusy: 0, rssMiB: { atEnd: slice, peak: 200 + slice } }],
      };
    };
    const { bare: bareSum, http: httpSum } = await runInterleaved(4, 0.5, bare, http);
    expect(order).toEqual([
      'bare 0.5',
      'http 0.5',
      'http 0.5',
      'bare 0.5',
      'bare 0.5',
      'http 0.5',
      'http 0.5',
      'bare 0.5',
    ]);
    // Bare slices were the 1st, 4th, 5th and 8th calls: 10 + 40 + 50 + 80 logins in 2 s.
    expect(bareSum.loginsCompleted).toBe(180);
    expect(bareSum.elapsedSeconds).toBe(2);
    expect(bareSum.loginsPerSecond).toBe(90);
    expect(bareSum.cpuSecondsPerLogin).toBeCloseTo(0.002, 9);
    expect(bareSum.errors.entries()).toEqual([['initiate 503', 1]]);
    expect(httpSum.timings).toHaveLength(8);
    expect(httpSum.elapsedSeconds).toBe(2);
    expect(httpSum.cpuSeconds).toBeCloseTo(0.04, 9);
    expect(httpSum.rssMiB).toEqual({ atEnd: 7, peak: 107 });
    expect(httpSum.nodes).toEqual([
      {
        name: 'node 1',
        cpuSeconds: expect.closeTo(0.08, 9),
        coresBusy: expect.closeTo(0.04, 9),
        rssMiB: { atEnd: 7, peak: 207 },
      },
    ]);
  });

  it('interleaves only where both sides can run at once (PostgreSQL and Redis)', () => {
    expect(readOptions([], true)?.slices).toBe(4);
    expect(readOptions([], false)?.slices).toBe(1);
    expect(readOptions(['--slices', '1'], true)?.slices).toBe(1);
    expect(() => readOptions(['--slices', '2'], false)).toThrow(UsageError);
    expect(() => readOptions(['--slices', '0'], true)).toThrow(UsageError);
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

/**
 * The capacity benchmark still works (issue 10): 20 pending sessions with their sockets against a server in this
 * process, held a moment, then closed. Every socket must get `otp_ready` and stay until closed, and the server must
 * count them and then none; no memory figures (the server shares this process).
 */
async function expectTinyCapacityRun(baseUrl: string, backends: Backends, population: Population): Promise<void> {
  const options = { sessions: 20, devices: 2, batch: 5, holdSeconds: 1, cpuProfile: false };
  const outcome = await measureCapacity({
    baseUrl,
    service: population.service,
    tokenIds: tokenIdsOf(population.phones),
    sessions: options.sessions,
    batch: options.batch,
    holdSeconds: 0.3,
  });
  expect(outcome.errors.entries()).toEqual([]);
  expect(outcome.ramp.connected).toBe(20);
  expect(outcome.hold.connectedAtEnd).toBe(20);
  expect(outcome.hold.serverSockets).toBe(20);
  expect(outcome.hold.probe.latenciesMs.length).toBeGreaterThan(0);
  expect(outcome.afterClose).toEqual({ serverSockets: 0, readyStatus: 200 });
  const result = capacityBenchResult({
    startedAt: new Date().toISOString(),
    options,
    backends,
    openFileLimit: {},
    setupSeconds: 0,
    outcome,
  });
  expect(result.serverRssMiB).toBeUndefined();
  expect(result.target.allHeldAtOnce).toBe(true);
  expect(formatCapacityTable(result)).toContain('target < 1024 MiB');
}

/** The capacity benchmark's parts; its tiny run shares the login smoke run's server (`expectTinyCapacityRun`). */
describe('capacity benchmark parts', () => {
  it('reads its options, and refuses a hold as long as a session lives or too few open files', () => {
    expect(readCapacityOptions([])).toEqual({
      sessions: 10_000,
      devices: 50,
      batch: 200,
      holdSeconds: 5,
      cpuProfile: false,
    });
    expect(readCapacityOptions(['--sessions', '300', '--batch', '50'])).toMatchObject({ sessions: 300, batch: 50 });
    expect(readCapacityOptions(['--help'])).toBeUndefined();
    expect(() => readCapacityOptions(['--hold', '60'])).toThrow(UsageError);
    expect(() => readCapacityOptions(['--sessions', '0'])).toThrow(UsageError);
    expect(() => readCapacityOptions(['--socket', '1'])).toThrow(UsageError);
    expect(openFileShortfall(10_000, 200, 20_000)).toBeUndefined();
    expect(openFileShortfall(10_000, 200, 1024)).toContain('ulimit -n 12288');
  });

  it("reads the server's event-loop lag and socket count from its Prometheus text", () => {
    const metrics = [
      'nodejs_eventloop_lag_p50_seconds 0.0101',
      'nodejs_eventloop_lag_p99_seconds 0.0305',
      'nodejs_eventloop_lag_max_seconds 0.25',
      '# TYPE idtoken_socket_connections gauge',
      'idtoken_socket_connections{namespace="device"} 2',
      'idtoken_socket_connections{namespace="session"} 7',
    ].join('\n');
    // The monitor's 10 ms timer is taken off: what is left is lag.
    expect(serverEventLoopLag(metrics)).toEqual({ p50: 0.1, p99: 20.5, max: 240 });
    expect(sessionSocketsOpen(metrics)).toBe(7);
    expect(sessionSocketsOpen('# TYPE idtoken_socket_connections gauge\n')).toBe(0);
  });
});

/** The cold-start benchmark's parts that need no server process: options, the log's stages, the medians. */
describe('cold-start benchmark parts', () => {
  it('reads its options', () => {
    expect(readColdStartOptions([])).toEqual({ runs: 3, breakdown: true });
    expect(readColdStartOptions(['--runs', '5', '--no-breakdown'])).toEqual({ runs: 5, breakdown: false });
    expect(readColdStartOptions(['-h'])).toBeUndefined();
    expect(() => readColdStartOptions(['--runs', 'two'])).toThrow(UsageError);
  });

  it("times the start's stages from the server's log lines", () => {
    const spawnedAt = Date.parse('2026-01-01T00:00:00.000Z');
    const at = (ms: number, msg: string) =>
      JSON.stringify({ level: 30, time: new Date(spawnedAt + ms).toISOString(), msg });
    const lines = [
      at(900, 'oidc-provider WARNING: Unsupported runtime.'),
      at(1000, 'Starting Nest application...'),
      at(1010, 'AppModule dependencies initialized'),
      at(3010, 'TypeOrmCoreModule dependencies initialized'),
      at(3500, 'TrustModule dependencies initialized'),
      at(3600, 'Nest application successfully started'),
      at(3650, 'Server listening at http://127.0.0.1:1234'),
      at(3700, 'IDToken is ready on port 1234'),
      'not json',
    ].flatMap((line) => parseBootLogLine(line, spawnedAt) ?? []);
    expect(bootStages(lines, 3750)).toEqual([
      { name: 'node, imports, config', ms: 1000 },
      { name: 'AppModule', ms: 10 },
      { name: 'TypeOrmCoreModule', ms: 2000 },
      { name: 'TrustModule', ms: 490 },
      { name: 'routes, init hooks', ms: 100 },
      { name: 'listen, ready line', ms: 100 },
      { name: 'first 200 /health/ready', ms: 50 },
    ]);
    // At LOG_LEVEL=warn the lines are not there.
    expect(bootStages(lines.slice(0, 1), 3750)).toBeUndefined();
  });

  it('takes the median of the cold starts against the 5 s target', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const start = (run: number, kind: 'cold' | 'warm', readyMs: number) => ({
      run,
      kind,
      measurement: { readyMs, cpuSecondsAtReady: 1, rssMiBAtReady: 200, stopMs: 100, exitCode: 0 },
    });
    const result = coldStartBenchResult({
      startedAt: new Date().toISOString(),
      options: { runs: 3, breakdown: false },
      starts: [start(1, 'cold', 4000), start(1, 'warm', 1000), start(2, 'cold', 6000), start(3, 'cold', 4500)],
    });
    expect(result.medianReadyMs).toEqual({ cold: 4500, warm: 1000 });
    expect(result.target).toEqual({ ms: 5000, met: true });
    expect(formatColdStartTable(result)).toContain('median cold');
  });
});

describe('server processes of a benchmark', () => {
  /**
   * A benchmark (its leftovers module compiled as the bench build would) that starts a server stand-in, prints its
   * pid, then ends as `how` says; resolves the stand-in's pid once the benchmark has exited.
   */
  async function benchmarkThatEnds(how: 'throws' | 'gets SIGTERM'): Promise<number> {
    const folder = mkdtempSync(join(tmpdir(), 'bench-leftovers-'));
    try {
      const source = fileURLToPath(new URL('../bench/support/leftovers.ts', import.meta.url));
      const compiled = transformFileSync(source, {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
      });
      writeFileSync(join(folder, 'leftovers.mjs'), compiled.code);
      const script = `
        import { spawn } from 'node:child_process';
        import { endsWithBenchmark } from './leftovers.mjs';
        const server = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
        endsWithBenchmark(server);
        console.log(server.pid);
        setInterval(() => {}, 1000);
        ${how === 'throws' ? "setTimeout(() => { throw new Error('the benchmark failed'); }, 100);" : ''}`;
      writeFileSync(join(folder, 'bench.mjs'), script);
      const benchmark = spawn(process.execPath, [join(folder, 'bench.mjs')], { stdio: ['ignore', 'pipe', 'ignore'] });
      const exited = new Promise((resolve) => benchmark.once('exit', resolve));
      const [line] = (await once(benchmark.stdout.setEncoding('utf8'), 'data')) as [string];
      if (how === 'gets SIGTERM') benchmark.kill('SIGTERM');
      await exited;
      return Number(line.trim());
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  /** Whether a process with this pid still runs (a zombie counts as gone). */
  function running(pid: number): boolean {
    try {
      return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  }

  async function goneWithin(pid: number, ms: number): Promise<boolean> {
    for (const deadline = Date.now() + ms; Date.now() < deadline; await delay(20)) if (!running(pid)) return true;
    return !running(pid);
  }

  it.each(['throws', 'gets SIGTERM'] as const)('are killed when the benchmark %s while they run', async (how) => {
    const server = await benchmarkThatEnds(how);
    expect(Number.isInteger(server) && server > 0).toBe(true);
    try {
      expect(await goneWithin(server, 5_000)).toBe(true);
    } finally {
      if (running(server)) process.kill(server, 'SIGKILL');
    }
  });

  it('leaves alone a process that has already exited', async () => {
    const done = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    endsWithBenchmark(done);
    await once(done, 'exit');
    expect(killLeftovers()).toBe(0);
  });
});
