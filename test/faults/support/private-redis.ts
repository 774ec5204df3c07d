import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { killHard } from './child-process.js';
import { freePort } from './free-port.js';
import { waitUntil } from './wait-until.js';

/**
 * A Redis of this test file alone (`redis-server` as a child process on a free loopback port, nothing persisted):
 * `kill` is kill -9, `restart` starts it again on the same port — empty, as a Redis without persistence comes back.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server on the same port and waits until it answers PING. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('Redis is already running');
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    await waitUntil(`redis-server on port ${this.port} (${this.output.trim()})`, () => this.pong(), 30_000, 50);
  }

  /** kill -9: every connection drops at once and every key is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await killHard(child);
  }

  stop(): Promise<void> {
    return this.kill();
  }

  private pong(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.setTimeout(1_000, () => socket.destroy());
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        resolve(data.toString('utf8').startsWith('+PONG'));
        socket.destroy();
      });
    });
  }
}
