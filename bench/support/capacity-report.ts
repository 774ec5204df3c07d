import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapacityBenchOptions } from './capacity-options.js';
import type { CapacityOutcome } from './capacity-run.js';
import type { LagSummary } from './event-loop-lag.js';
import type { RssSample } from './memory-sampler.js';
import { machineInfo } from './report.js';
import type { Backends } from './server.js';
import { round, summarize, type LatencySummary } from './stats.js';

/** Issue 10's target: the server holding 10 000 pending sessions and their sockets stays under 1 GiB resident. */
export const RSS_TARGET_MIB = 1024;

/** Resident memory of one process through the run, in MiB, and what each held socket added to it. */
export interface RssFigures {
  idle: number;
  held: number;
  peak: number;
  afterClose: number;
  /** (held − idle) ÷ sockets held, in KiB. */
  perSocketKiB: number;
  /** idle + perSocketKiB × the sessions asked for: the estimate when they were not all held at once. */
  projectedMiB: number;
}

/** Everything one capacity run measured; written as JSON next to the printed table. */
export interface CapacityBenchResult {
  startedAt: string;
  options: CapacityBenchOptions;
  machine: ReturnType<typeof machineInfo> & { openFileLimit: { client?: number; server?: number } };
  setupSeconds: number;
  sessions: {
    asked: number;
    initiated: number;
    /** Sockets that received `otp_ready`. */
    connected: number;
    /** The most sockets connected at once (ramp and hold). */
    mostHeldAtOnce: number;
    heldAtHoldStart: number;
    heldAtHoldEnd: number;
    /** The server's own count of `/session` sockets at the end of the hold. */
    serverSocketsAtHoldEnd?: number;
  };
  ramp: {
    seconds: number;
    sessionsPerSecond: number;
    /** Server CPU seconds over the ramp ÷ its seconds: 1.0 is one core kept busy. */
    serverCoresBusy?: number;
    /** The same for this process (relying party and browsers). */
    clientCoresBusy: number;
    serverLagMs?: LagSummary;
    latencyMs: { initiate: LatencySummary; otpReady: LatencySummary };
  };
  hold: {
    seconds: number;
    /** Shortened so that it ended before the first session expired. */
    cutShort: boolean;
    /** The ramp outlasted the sessions' lifetime: some expired (their sockets closed by the server) during the hold. */
    sessionsExpiring: boolean;
    serverLagMs?: LagSummary;
    liveProbeMs: LatencySummary & { failures: number };
    clientLagMs: LagSummary;
  };
  serverRssMiB?: RssFigures;
  clientRssMiB: RssFigures;
  afterClose: { serverSockets?: number; readyStatus: number; healthy: boolean };
  errors: number;
  errorKinds: Record<string, number>;
  target: {
    rssMiB: number;
    /** Every asked session was connected at once (so all were opened within the sessions' 60 s lifetime). */
    allHeldAtOnce: boolean;
    /** The server's peak RSS stayed under `rssMiB`. */
    withinRss: boolean;
    met: boolean;
  };
}

function rssFigures(
  rss: CapacityOutcome['rss'],
  side: keyof RssSample,
  sockets: number,
  asked: number,
): RssFigures | undefined {
  const [idle, held, peak, afterClose] = [rss.idle, rss.held, rss.peak, rss.afterClose].map((sample) => sample[side]);
  if (idle === undefined || held === undefined || peak === undefined || afterClose === undefined) return undefined;
  const perSocketKiB = ((held - idle) * 1024) / sockets;
  return {
    idle: round(idle, 1),
    held: round(held, 1),
    peak: round(peak, 1),
    afterClose: round(afterClose, 1),
    perSocketKiB: sockets === 0 ? Number.NaN : round(perSocketKiB, 1),
    projectedMiB: sockets === 0 ? Number.NaN : round(idle + (perSocketKiB * asked) / 1024, 1),
  };
}

/** The run's result from what `measureCapacity` measured. */
export function capacityBenchResult(run: {
  startedAt: string;
  options: CapacityBenchOptions;
  backends: Backends;
  openFileLimit: { client?: number; server?: number };
  setupSeconds: number;
  outcome: CapacityOutcome;
}): CapacityBenchResult {
  const { outcome, options } = run;
  const { ramp, hold } = outcome;
  const sockets = hold.connectedAtEnd;
  const serverRssMiB = rssFigures(outcome.rss, 'serverMiB', sockets, options.sessions);
  const clientRssMiB = rssFigures(outcome.rss, 'clientMiB', sockets, options.sessions);
  if (!clientRssMiB) throw new Error('no client memory readings');
  const allHeldAtOnce = hold.mostConnected === options.sessions;
  const withinRss = serverRssMiB !== undefined && serverRssMiB.peak < RSS_TARGET_MIB;
  return {
    startedAt: run.startedAt,
    options,
    machine: { ...machineInfo(run.backends), openFileLimit: run.openFileLimit },
    setupSeconds: round(run.setupSeconds),
    sessions: {
      asked: options.sessions,
      initiated: ramp.initiated,
      connected: ramp.connected,
      mostHeldAtOnce: hold.mostConnected,
      heldAtHoldStart: hold.connectedAtStart,
      heldAtHoldEnd: hold.connectedAtEnd,
      ...(hold.serverSockets === undefined ? {} : { serverSocketsAtHoldEnd: hold.serverSockets }),
    },
    ramp: {
      seconds: round(ramp.seconds),
      sessionsPerSecond: round(ramp.connected / ramp.seconds, 1),
      ...(outcome.rampServerCpuSeconds === undefined
        ? {}
        : { serverCoresBusy: round(outcome.rampServerCpuSeconds / ramp.seconds, 2) }),
      clientCoresBusy: round(outcome.rampClientCpuSeconds / ramp.seconds, 2),
      ...(outcome.rampServerLag ? { serverLagMs: outcome.rampServerLag } : {}),
      latencyMs: { initiate: summarize(ramp.initiateMs), otpReady: summarize(ramp.otpReadyMs) },
    },
    hold: {
      seconds: round(hold.seconds),
      cutShort: hold.cutShort,
      sessionsExpiring: hold.sessionsExpiring,
      ...(hold.serverLag ? { serverLagMs: hold.serverLag } : {}),
      liveProbeMs: { ...summarize(hold.probe.latenciesMs), failures: hold.probe.failures },
      clientLagMs: hold.clientLag,
    },
    ...(serverRssMiB ? { serverRssMiB } : {}),
    clientRssMiB,
    afterClose: {
      ...(outcome.afterClose.serverSockets === undefined ? {} : { serverSockets: outcome.afterClose.serverSockets }),
      readyStatus: outcome.afterClose.readyStatus,
      healthy: outcome.afterClose.readyStatus === 200,
    },
    errors: outcome.errors.total,
    errorKinds: Object.fromEntries(outcome.errors.entries()),
    target: { rssMiB: RSS_TARGET_MIB, allHeldAtOnce, withinRss, met: allHeldAtOnce && withinRss },
  };
}

const fixed = (value: number | undefined, digits = 1) =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);

/** The run as a plain-text table for the terminal. */
export function formatCapacityTable(result: CapacityBenchResult): string {
  const { machine, options, sessions, ramp, hold, serverRssMiB, clientRssMiB, target } = result;
  const limits = `open files: client ${machine.openFileLimit.client ?? '?'}, server ${machine.openFileLimit.server ?? '?'}`;
  return [
    `IDToken capacity benchmark — ${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}`,
    `database: ${machine.database} · store: ${machine.store} · ${limits}`,
    `sessions ${options.sessions} · devices ${options.devices} · batch ${options.batch} · hold ${options.holdSeconds} s` +
      ` · setup ${result.setupSeconds.toFixed(1)} s`,
    '',
    row('sessions initiated', String(sessions.initiated)),
    row('sockets connected', String(sessions.connected)),
    row('most held at once', String(sessions.mostHeldAtOnce)),
    row('held at hold start', String(sessions.heldAtHoldStart)),
    row('held at hold end', String(sessions.heldAtHoldEnd)),
    ...(sessions.serverSocketsAtHoldEnd === undefined
      ? []
      : [row('  server counts', String(sessions.serverSocketsAtHoldEnd))]),
    row('ramp s', ramp.seconds.toFixed(1)),
    row('ramp sessions/s', ramp.sessionsPerSecond.toFixed(0)),
    row('cores busy: server, client', `${fixed(ramp.serverCoresBusy, 2)}, ${ramp.clientCoresBusy.toFixed(2)}`),
    row('hold s', `${hold.seconds.toFixed(1)}${hold.cutShort ? ' (cut)' : hold.sessionsExpiring ? ' (expiring)' : ''}`),
    row('errors', String(result.errors)),
    ...Object.entries(result.errorKinds).map(([kind, count]) => row(`  ${kind}`, String(count))),
    '',
    `${'RSS (MiB)'.padEnd(26)}${['idle', 'held', 'peak', 'closed', 'KiB/sock'].map((h) => h.padStart(9)).join('')}`,
    rssRow('server', serverRssMiB),
    rssRow('client (this process)', clientRssMiB),
    '',
    `${'lag (ms)'.padEnd(26)}${['p50', 'p99', 'max'].map((h) => h.padStart(9)).join('')}`,
    lagRow('server loop, ramp', ramp.serverLagMs),
    lagRow('server loop, hold', hold.serverLagMs),
    lagRow('GET /health/live, hold', hold.liveProbeMs),
    lagRow('client loop, hold', hold.clientLagMs),
    `${'latency (ms), ramp'.padEnd(26)}${['p50', 'p99', 'max'].map((h) => h.padStart(9)).join('')}`,
    lagRow('initiate', ramp.latencyMs.initiate),
    lagRow('→ otp_ready', ramp.latencyMs.otpReady),
    '',
    row('after closing: sockets', fixed(result.afterClose.serverSockets, 0)),
    row('after closing: ready', String(result.afterClose.readyStatus)),
    row(
      `target < ${target.rssMiB} MiB`,
      `${target.met ? 'met' : 'MISSED'} (peak ${fixed(serverRssMiB?.peak, 0)} MiB` +
        (target.allHeldAtOnce
          ? ')'
          : ` with ${sessions.mostHeldAtOnce} held at most, not all ${options.sessions} — projected ` +
            `${fixed(serverRssMiB?.projectedMiB, 0)} MiB)`),
    ),
  ].join('\n');
}

function row(label: string, value: string): string {
  return `${label.padEnd(26)}${value.padStart(12)}`;
}

function rssRow(label: string, rss: RssFigures | undefined): string {
  const values = rss ? [rss.idle, rss.held, rss.peak, rss.afterClose, rss.perSocketKiB] : [];
  return `${label.padEnd(26)}${(values.length ? values : [Number.NaN]).map((v) => fixed(v, 0).padStart(9)).join('')}`;
}

function lagRow(label: string, lag: { p50: number; p99: number; max: number } | undefined): string {
  const values = lag ? [lag.p50, lag.p99, lag.max] : [Number.NaN, Number.NaN, Number.NaN];
  return `${label.padEnd(26)}${values.map((v) => fixed(v).padStart(9)).join('')}`;
}

/** Writes `capacity-<ISO timestamp>.json` into `directory` (colons as `-`, so the name is valid everywhere). */
export function writeCapacityResult(directory: string, result: CapacityBenchResult): string {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `capacity-${result.startedAt.replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
