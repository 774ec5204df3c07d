import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { bootStages, parseBootLogLine, type BootLogLine, type BootStage } from './boot-stages.js';
import { endsWithBenchmark } from './leftovers.js';
import { freePort, processUsage } from './server-nodes.js';

/** The production entry point, as `npm start` runs it (compiled next to the bench by `tsconfig.bench.json`). */
const MAIN = fileURLToPath(new URL('../../apps/idp/src/main.js', import.meta.url));

/** A start that does not answer ready within this fails the run. */
const READY_TIMEOUT_MS = 120_000;
const POLL_INTERVAL_MS = 20;
/** After SIGTERM, SIGKILL if the process has not exited within this. */
const STOP_TIMEOUT_MS = 15_000;

/** A fresh folder for one embedded deployment: its DATA_DIR and master secret, kept for a warm start. */
export interface Deployment {
  /** The folder the server runs in (its cwd: no `.env` there); DATA_DIR is `data` inside it. */
  folder: string;
  dataDir: string;
  masterSecret: string;
  remove(): void;
}

export function freshDeployment(): Deployment {
  const folder = mkdtempSync(join(tmpdir(), 'idtoken-cold-start-'));
  return {
    folder,
    dataDir: join(folder, 'data'),
    masterSecret: randomBytes(32).toString('hex'),
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

/** One start of the server process, spawn to ready, then its stop. */
export interface StartMeasurement {
  /** Spawn → the first `GET /health/ready` answered 200. */
  readyMs: number;
  /** Spawn → the "IDToken is ready" log line (LOG_LEVEL=info only). */
  readyLineMs?: number;
  /** user + system CPU of the server process at ready: near `readyMs` when the start is CPU-bound on one core. */
  cpuSecondsAtReady: number;
  rssMiBAtReady: number;
  /** SIGTERM → the process exited. */
  stopMs: number;
  exitCode: number | null;
  /** What the start spent its time on (LOG_LEVEL=info only). */
  stages?: BootStage[];
}

/**
 * Starts `node dist/apps/idp/src/main.js` on `deployment` with embedded PGlite and the in-process store (no
 * DATABASE_URL, no REDIS_URL), development mode, a free loopback port; waits for `GET /health/ready` to answer 200,
 * reads its CPU and memory, and stops it with SIGTERM.
 */
export async function measureStart(deployment: Deployment, logLevel: 'warn' | 'info'): Promise<StartMeasurement> {
  const port = await freePort();
  const spawnedAt = Date.now();
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    cwd: deployment.folder,
    env: {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: deployment.dataDir,
      IDTOKEN_MASTER_SECRET: deployment.masterSecret,
      LOG_LEVEL: logLevel,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  endsWithBenchmark(child);
  // 'close': the process has exited and its output has been read to the end.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const lines: BootLogLine[] = [];
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (text) => {
      const line = parseBootLogLine(text, spawnedAt);
      if (line) lines.push(line);
    });
  }
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${stderr.trim()}`);
      if (await isReady(baseUrl)) break;
      if (performance.now() - started > READY_TIMEOUT_MS) {
        throw new Error(`the server was not ready within ${READY_TIMEOUT_MS / 1000} s: ${stderr.trim()}`);
      }
      await delay(POLL_INTERVAL_MS);
    }
    const readyMs = performance.now() - started;
    const usage = processUsage(child.pid ?? -1);

    const stopping = performance.now();
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const exitCode = await exited.finally(() => clearTimeout(killer));
    const stopMs = performance.now() - stopping;

    const readyLine = lines.find((line) => line.msg.startsWith('IDToken is ready on port '));
    const stages = bootStages(lines, readyMs);
    return {
      readyMs,
      ...(readyLine ? { readyLineMs: readyLine.atMs } : {}),
      cpuSecondsAtReady: usage.cpuSeconds,
      rssMiBAtReady: usage.rssMiB,
      stopMs,
      exitCode,
      ...(stages ? { stages } : {}),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

async function isReady(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/health/ready`);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}
