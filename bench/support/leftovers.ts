import type { ChildProcess } from 'node:child_process';

/** Server processes this benchmark started and has not yet seen exit. */
const running = new Set<ChildProcess>();
let hooked = false;

/** The signals that end a benchmark run from outside (Ctrl-C, `timeout`, a closed terminal). */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Ties a server process to the benchmark's life: if the benchmark ends while it still runs — normally, on an uncaught
 * error, or on SIGINT, SIGTERM or SIGHUP — it gets SIGKILL. A server left behind by a crashed run ran on unnoticed,
 * with its memory, its timers and its PostgreSQL connections, on the cores every later run measures.
 */
export function endsWithBenchmark(child: ChildProcess): void {
  hookOnce();
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** SIGKILL to every tracked server process still running; how many were. Synchronous: it runs on `exit`. */
export function killLeftovers(): number {
  let killed = 0;
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')) killed += 1;
  }
  running.clear();
  return killed;
}

function hookOnce(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killLeftovers);
  for (const signal of ENDING_SIGNALS) {
    // Then the signal again, with this listener gone: the benchmark ends as it would have without it.
    process.once(signal, () => {
      killLeftovers();
      process.kill(process.pid, signal);
    });
  }
}
