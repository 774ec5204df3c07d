import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { endsWithBenchmark } from './leftovers.js';

/** The production entry point, as `npm start` runs it (compiled by `bench:login` next to the bench). */
const MAIN = fileURLToPath(new URL('../../apps/idp/src/main.js', import.meta.url));

/** CPU time and memory of one process, read from /proc (Linux). */
export interface ProcessUsage {
  /** user + system CPU seconds since the process started */
  cpuSeconds: number;
  rssMiB: number;
}

/** One IdP server process of the run. */
export interface ServerNode {
  name: string;
  baseUrl: string;
  pid: number;
  usage(): ProcessUsage;
  /** SIGTERM (graceful shutdown, as in production), SIGKILL if it has not exited within 15 s. */
  close(): Promise<void>;
}

const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

/** utime + stime (fields 14 and 15) and RSS pages (field 24) of /proc/<pid>/stat; the name may contain spaces. */
export function processUsage(pid: number): ProcessUsage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): field n is fields[n - 3].
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, rssMiB: (Number(fields[21]) * PAGE_SIZE) / 2 ** 20 };
}

/** A free loopback port (the server is told its port before it starts, as a deployment would). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts `count` server processes of `dist/apps/idp/src/main.js` with the run's settings (they share its database and
 * Redis, as the nodes of a deployment behind a load balancer do: same issuer, same master secret, same data folder)
 * and waits until each answers `GET /health/ready`.
 */
export async function startServerNodes(
  settings: Record<string, string>,
  count: number,
  options: { cpuProfileDir?: string } = {},
): Promise<ServerNode[]> {
  const nodeArguments = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const ports = await Promise.all(Array.from({ length: count }, freePort));
  const nodes: ServerNode[] = [];
  try {
    for (const [index, port] of ports.entries()) {
      nodes.push(
        await startNode(`node ${index + 1}`, port, nodeArguments, {
          ...settings,
          PORT: String(port),
          ISSUER_URL: `http://127.0.0.1:${ports[0]}`,
        }),
      );
    }
    return nodes;
  } catch (error) {
    await Promise.all(nodes.map((node) => node.close()));
    throw error;
  }
}

async function startNode(
  name: string,
  port: number,
  nodeArguments: string[],
  env: Record<string, string>,
): Promise<ServerNode> {
  const child = spawn(process.execPath, [...nodeArguments, MAIN], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  endsWithBenchmark(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const node: ServerNode = {
    name,
    baseUrl,
    pid: child.pid ?? -1,
    usage: () => processUsage(node.pid),
    close: () => stop(child, exited),
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr.trim()}`);
    if (await isReady(baseUrl)) return node;
    if (Date.now() > deadline) {
      await node.close();
      throw new Error(`${name} was not ready within 60 s: ${stderr.trim()}`);
    }
    await delay(50);
  }
}

async function isReady(baseUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${baseUrl}/health/ready`)).ok;
  } catch {
    return false;
  }
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
