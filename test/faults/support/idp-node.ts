import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { exited, killHard } from './child-process.js';
import { MAIN, ROOT } from './idp-build.js';

/** GET a health path; its status, or 0 when nothing answers within 5 s. */
export async function healthStatus(baseUrl: string, path: '/health/live' | '/health/ready'): Promise<number> {
  try {
    return (await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) })).status;
  } catch {
    return 0;
  }
}

/**
 * One IdP server process (`dist/apps/idp/src/main.js`, as `npm start` runs it) on a fixed port: a crash shows as an
 * exit, and `kill` is SIGKILL — no graceful shutdown, no goodbye to its sockets.
 */
export class IdpNode {
  private child: ChildProcess | undefined;
  private output = '';
  /** How the process ended, if it did: exit code or signal. */
  ended: string | undefined;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly settings: Record<string, string>,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The last lines the process wrote (warnings and errors), for a failure message. */
  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child !== undefined && this.ended === undefined;
  }

  /** Starts the process and waits until it answers `GET /health/ready` (migrations done, store and database up). */
  async start(): Promise<void> {
    this.ended = undefined;
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.settings, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      this.ended = signal ?? `exit ${code}`;
    });
    this.child = child;
    const deadline = Date.now() + 90_000;
    while ((await healthStatus(this.baseUrl, '/health/ready')) !== 200) {
      if (this.ended || Date.now() > deadline) {
        await this.kill();
        throw new Error(`${this.name} did not become ready (${this.ended ?? 'timed out'}):\n${this.output}`);
      }
      await delay(100);
    }
  }

  /** SIGKILL: the node vanishes mid-request. */
  async kill(): Promise<void> {
    if (this.child) await killHard(this.child);
  }

  /** SIGTERM (graceful shutdown), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.ended) return;
    const gone = exited(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  }
}
