import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import {
  scrapeMetrics,
  serverEventLoopLag,
  sessionSocketsOpen,
  watchOwnEventLoop,
  type LagSummary,
} from './event-loop-lag.js';
import { startLiveProbe, type ProbeOutcome } from './live-probe.js';
import { collectGarbage, readRss, sampleRssPeaks, type RssSample } from './memory-sampler.js';
import { PendingSessions, type PendingSessionsPlan, type RampOutcome } from './pending-sessions.js';
import type { ProcessUsage } from './server-nodes.js';
import type { Tally } from './stats.js';

export interface CapacityPlan extends PendingSessionsPlan {
  /** Seconds to hold every session open once the ramp is done; cut short before the first one expires. */
  holdSeconds: number;
  /** The server's process, when it runs in one of its own (its memory and CPU are read from /proc). */
  serverUsage?: () => ProcessUsage;
  log?: (line: string) => void;
}

/** What one capacity run measured, before rounding and reporting. */
export interface CapacityOutcome {
  ramp: RampOutcome;
  /** Server CPU seconds over the ramp (when it runs in a process of its own). */
  rampServerCpuSeconds?: number;
  /** This process's CPU seconds over the ramp: the relying party and browsers (and the server, when in-process). */
  rampClientCpuSeconds: number;
  /** The server's own event-loop lag over the ramp (its metrics). */
  rampServerLag?: LagSummary;
  hold: {
    seconds: number;
    /** The hold was cut short: the first session would have expired (spec §6.1: 60 s). */
    cutShort: boolean;
    /** The ramp outlasted the first sessions' lifetime: sessions were expiring (and their sockets closing) during it. */
    sessionsExpiring: boolean;
    connectedAtStart: number;
    connectedAtEnd: number;
    /** The most sockets connected at once, from the start of the ramp to the end of the hold. */
    mostConnected: number;
    /** The server's own count of open `/session` sockets at the end of the hold (its metrics). */
    serverSockets?: number;
    serverLag?: LagSummary;
    clientLag: LagSummary;
    probe: ProbeOutcome;
  };
  rss: { idle: RssSample; held: RssSample; peak: RssSample; afterClose: RssSample };
  afterClose: {
    /** The server's open `/session` sockets once every socket was closed here (should be 0). */
    serverSockets?: number;
    /** `GET /health/ready` status after the run (200 = still healthy). */
    readyStatus: number;
  };
  errors: Tally;
}

/** The hold ends this long before the first session expires, so the server's `expired` never races the sampling. */
const EXPIRY_MARGIN_MS = 1_000;
/** A hold shorter than this measures little: when the ramp leaves less, the hold runs its full time instead. */
const MIN_HOLD_MS = 1_000;
/** Time given to the server to see every socket go before its memory is read again. */
const CLOSE_WAIT_MS = 10_000;

/**
 * The capacity run against one server (spec §6.1 sessions live 60 s): idle readings, the ramp to `sessions` pending
 * sessions with their sockets, a hold while sampling memory and event-loop lag, then every socket closed and the
 * server checked.
 */
export async function measureCapacity(plan: CapacityPlan): Promise<CapacityOutcome> {
  const log = plan.log ?? (() => undefined);
  const { baseUrl, serverUsage } = plan;
  await collectGarbage();
  const idle = readRss(serverUsage);
  const pending = new PendingSessions(plan);
  const peaks = sampleRssPeaks(serverUsage);
  let peak: RssSample | undefined;
  try {
    // Also resets the server's event-loop delay monitor: the next scrape covers the ramp alone.
    await scrapeMetrics(baseUrl);
    const cpuBefore = serverUsage?.().cpuSeconds;
    const clientCpuBefore = process.cpuUsage();
    const step = Math.max(1, Math.round(plan.sessions / 10));
    const ramp = await pending.ramp((done) => {
      if (done % step === 0 || done === plan.sessions)
        log(`  ${done}/${plan.sessions} sessions tried, ${pending.connected} held`);
    });
    const cpuAfter = serverUsage?.().cpuSeconds;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    // Read as the hold starts, so the hold's own lag is measured from here.
    const rampServerLag = serverEventLoopLag(await scrapeMetrics(baseUrl));

    const hold = await holdAll(plan, pending, ramp.firstExpiryMs, log);
    await collectGarbage();
    const held = readRss(serverUsage);
    peak = peaks.stop();

    pending.closeAll();
    const serverSockets = await waitForSocketsToLeave(baseUrl);
    await collectGarbage();
    const afterClose = readRss(serverUsage);
    const ready = await fetch(`${baseUrl}/health/ready`);
    await ready.arrayBuffer();
    return {
      ramp,
      rampServerCpuSeconds: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
      rampServerLag,
      rampClientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
      hold,
      rss: { idle, held, peak, afterClose },
      afterClose: { serverSockets, readyStatus: ready.status },
      errors: pending.errors,
    };
  } finally {
    if (!peak) peaks.stop();
    pending.closeAll();
  }
}

/**
 * Every session open at once: the server's lag (its metrics, scraped just before), the live probe and this process's
 * lag, sampled until the hold ends.
 */
async function holdAll(
  plan: CapacityPlan,
  pending: PendingSessions,
  firstExpiryMs: number,
  log: (line: string) => void,
): Promise<CapacityOutcome['hold']> {
  const wanted = Date.now() + plan.holdSeconds * 1000;
  const beforeExpiry = firstExpiryMs - EXPIRY_MARGIN_MS;
  // A ramp longer than the sessions' lifetime: they are expiring already, so hold the full time and say so.
  const overran = beforeExpiry - Date.now() < MIN_HOLD_MS;
  const until = overran ? wanted : Math.min(wanted, beforeExpiry);
  const connectedAtStart = pending.connected;
  log(`holding ${connectedAtStart} sockets for ${((until - Date.now()) / 1000).toFixed(1)} s…`);
  const started = performance.now();
  const probe = startLiveProbe(plan.baseUrl);
  const ownLoop = watchOwnEventLoop();
  await delay(Math.max(0, until - Date.now()));
  const clientLag = ownLoop.stop();
  const probed = await probe.stop();
  const metrics = await scrapeMetrics(plan.baseUrl);
  return {
    seconds: (performance.now() - started) / 1000,
    cutShort: until < wanted,
    sessionsExpiring: overran,
    connectedAtStart,
    connectedAtEnd: pending.connected,
    mostConnected: pending.mostConnected,
    serverSockets: sessionSocketsOpen(metrics),
    serverLag: serverEventLoopLag(metrics),
    clientLag,
    probe: probed,
  };
}

/** Polls the server's socket count until it reaches 0 or the wait ends; the last count read. */
async function waitForSocketsToLeave(baseUrl: string): Promise<number | undefined> {
  const deadline = performance.now() + CLOSE_WAIT_MS;
  for (;;) {
    const open = sessionSocketsOpen(await scrapeMetrics(baseUrl));
    if (open === undefined || open === 0 || performance.now() > deadline) return open;
    await delay(250);
  }
}
