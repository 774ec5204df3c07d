import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { round } from './stats.js';

/** How late the event loop ran its timers over a span, in milliseconds beyond the sampling interval. */
export interface LagSummary {
  p50: number;
  p99: number;
  max: number;
}

/**
 * Node's event-loop delay monitor (what prom-client's default metrics use) times a 10 ms timer: an idle loop reads
 * about 10 ms, so the interval is taken off to leave the lag.
 */
const RESOLUTION_MS = 10;

const lagOf = (delayMs: number) => round(Math.max(0, delayMs - RESOLUTION_MS), 1);

/** This process's event-loop lag from now until `stop`. */
export function watchOwnEventLoop(): { stop(): LagSummary } {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      const ms = (nanoseconds: number) => lagOf(nanoseconds / 1e6);
      return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
    },
  };
}

/** `GET /metrics` of the server (Prometheus text). */
export async function scrapeMetrics(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  const text = await response.text();
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return text;
}

/** One sample's value, e.g. `metricValue(text, 'idtoken_socket_connections', 'namespace="session"')`. */
export function metricValue(text: string, name: string, labels?: string): number | undefined {
  const series = labels === undefined ? name : `${name}{${labels}}`;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

/**
 * The server's own event-loop lag since its previous scrape: prom-client's default metrics read Node's delay monitor
 * and reset it at every `GET /metrics`, so scraping at the start and at the end of a span gives that span.
 */
export function serverEventLoopLag(metrics: string): LagSummary | undefined {
  const seconds = (quantity: string) => metricValue(metrics, `nodejs_eventloop_lag_${quantity}_seconds`);
  const [p50, p99, max] = [seconds('p50'), seconds('p99'), seconds('max')];
  if (p50 === undefined || p99 === undefined || max === undefined) return undefined;
  return { p50: lagOf(p50 * 1000), p99: lagOf(p99 * 1000), max: lagOf(max * 1000) };
}

/** Browser sockets open on the server's `/session` namespace (its `idtoken_socket_connections` gauge). */
export function sessionSocketsOpen(metrics: string): number | undefined {
  const value = metricValue(metrics, 'idtoken_socket_connections', 'namespace="session"');
  // A gauge no socket has touched yet prints its header and no sample.
  return value ?? (metrics.includes('# TYPE idtoken_socket_connections ') ? 0 : undefined);
}
