import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
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
