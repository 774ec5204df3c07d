import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** What the probe saw: one latency per answered request, and the requests that failed or answered non-200. */
export interface ProbeOutcome {
  latenciesMs: number[];
  failures: number;
}

/**
 * `GET /health/live` every `intervalMs` (one at a time, on a kept-alive connection) until `stop`: the route does no
 * work, so its latency is how long a request waits for the server's event loop — the lag seen from outside. A probe
 * slower than the interval is followed at once by the next.
 */
export function startLiveProbe(baseUrl: string, intervalMs = 100): { stop(): Promise<ProbeOutcome> } {
  const outcome: ProbeOutcome = { latenciesMs: [], failures: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const response = await fetch(`${baseUrl}/health/live`);
        await response.arrayBuffer();
        if (response.ok) outcome.latenciesMs.push(performance.now() - started);
        else outcome.failures += 1;
      } catch {
        outcome.failures += 1;
      }
      const wait = intervalMs - (performance.now() - started);
      if (running && wait > 0) await delay(wait);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return outcome;
    },
  };
}
