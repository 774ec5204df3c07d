import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CryptoCeiling } from './ceilings.js';
import type { BenchOptions } from './options.js';
import type { Backends } from './server.js';
import type { LatencySummary } from './stats.js';

/** Everything one run measured; written as JSON next to the printed table. */
export interface LoginBenchResult {
  startedAt: string;
  options: BenchOptions;
  machine: {
    cpuModel: string;
    cpuCount: number;
    totalMemoryMiB: number;
    os: string;
    node: string;
  } & Backends;
  setupSeconds: number;
  /** Ceiling 1: crypto on one core, and the logins/s it allows per core and on every core of the machine. */
  cryptoCeiling: CryptoCeiling & { loginsPerSecondAllCores: number };
  /** Ceiling 2: the same logins through SessionService with its database and store calls, no HTTP or WebSocket. */
  bareLoop: { loginsPerSecond: number; loginsCompleted: number; errors: number; cpuSecondsPerLogin: number };
  /** The HTTP + WebSocket login rate divided by each ceiling. */
  ratios: { toBareLoop: number; toCryptoBound: number };
  timed: {
    elapsedSeconds: number;
    loginsCompleted: number;
    loginsPerSecond: number;
    errors: number;
    errorKinds: Record<string, number>;
    latencyMs: {
      initiate: LatencySummary;
      otpReady: LatencySummary;
      verify: LatencySummary;
      approved: LatencySummary;
      endToEnd: LatencySummary;
    };
    /** user + system CPU of this whole process (server and clients) over the timed phase, per completed login. */
    cpuSecondsPerLogin: number;
    cpuSecondsTotal: number;
    rssMiB: { atEnd: number; peak: number };
  };
}

export function machineInfo(backends: Backends): LoginBenchResult['machine'] {
  const processors = cpus();
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cpuCount: processors.length,
    totalMemoryMiB: Math.round(totalmem() / 2 ** 20),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    ...backends,
  };
}

const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));

/** The run as a plain-text table for the terminal. */
export function formatTable(result: LoginBenchResult): string {
  const { timed, machine, options } = result;
  const lines = [
    `IDToken login benchmark — ${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}`,
    `database: ${machine.database} · store: ${machine.store}`,
    `devices ${options.devices} · concurrency ${options.concurrency} · duration ${options.durationSeconds} s` +
      ` · setup ${result.setupSeconds.toFixed(1)} s`,
    '',
    `${'ceilings'.padEnd(22)}${'logins/s'.padStart(12)}`,
    row('crypto bound, 1 core', result.cryptoCeiling.loginsPerSecondPerCore.toFixed(0)),
    row(`crypto bound, ${machine.cpuCount} cores`, result.cryptoCeiling.loginsPerSecondAllCores.toFixed(0)),
    row('bare loop (no HTTP/WS)', result.bareLoop.loginsPerSecond.toFixed(1)),
    row('  its CPU s per login', result.bareLoop.cpuSecondsPerLogin.toFixed(4)),
    row('ratio to bare loop', result.ratios.toBareLoop.toFixed(2)),
    row('ratio to crypto bound', result.ratios.toCryptoBound.toFixed(2)),
    '',
    `${'crypto, 1 core'.padEnd(22)}${'ops/s'.padStart(12)}${'per login'.padStart(11)}`,
    ...Object.entries(result.cryptoCeiling.opsPerSecond).map(
      ([primitive, perSecond]) =>
        `${primitive.padEnd(22)}${perSecond.toFixed(0).padStart(12)}${String(
          result.cryptoCeiling.perLogin[primitive as keyof CryptoCeiling['perLogin']],
        ).padStart(11)}`,
    ),
    '',
    `HTTP + WebSocket logins`,
    row('logins completed', String(timed.loginsCompleted)),
    row('logins/s', timed.loginsPerSecond.toFixed(1)),
    row('errors', String(timed.errors)),
    ...Object.entries(timed.errorKinds).map(([kind, count]) => row(`  ${kind}`, String(count))),
    row('CPU s per login', timed.cpuSecondsPerLogin.toFixed(4)),
    row('RSS MiB end / peak', `${timed.rssMiB.atEnd.toFixed(0)} / ${timed.rssMiB.peak.toFixed(0)}`),
    '',
    `${'latency (ms)'.padEnd(14)}${['p50', 'p95', 'p99', 'max'].map((h) => h.padStart(9)).join('')}`,
    latencyRow('initiate', timed.latencyMs.initiate),
    latencyRow('→ otp_ready', timed.latencyMs.otpReady),
    latencyRow('verify', timed.latencyMs.verify),
    latencyRow('→ approved', timed.latencyMs.approved),
    latencyRow('end-to-end', timed.latencyMs.endToEnd),
  ];
  return lines.join('\n');
}

function row(label: string, value: string): string {
  return `${label.padEnd(22)}${value.padStart(12)}`;
}

function latencyRow(label: string, summary: LatencySummary): string {
  return `${label.padEnd(14)}${[summary.p50, summary.p95, summary.p99, summary.max].map((v) => ms(v).padStart(9)).join('')}`;
}

/** Writes `login-<ISO timestamp>.json` into `directory` (colons as `-`, so the name is valid everywhere). */
export function writeResult(directory: string, result: LoginBenchResult): string {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `login-${result.startedAt.replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
