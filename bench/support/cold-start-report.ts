import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installedPgliteVersion } from '#idtoken/platform';
import type { BootStage } from './boot-stages.js';
import type { ColdStartBenchOptions } from './cold-start-options.js';
import type { StartMeasurement } from './cold-start-run.js';
import { machineInfo } from './report.js';
import { round } from './stats.js';

/** Issue 10's target: an embedded deployment (PGlite) is ready within 5 s of a cold start. */
export const COLD_START_TARGET_MS = 5_000;

/** One timed start, rounded for the report. */
/** One start as reported: which run and kind, and its measurement (stages apart) rounded. */
export type StartResult = { run: number; kind: 'cold' | 'warm' } & Omit<StartMeasurement, 'stages'>;

/** Everything one cold-start run measured; written as JSON next to the printed table. */
export interface ColdStartBenchResult {
  startedAt: string;
  options: ColdStartBenchOptions;
  machine: ReturnType<typeof machineInfo> & { pglite: string };
  /** The timed starts, at LOG_LEVEL=warn. */
  starts: StartResult[];
  medianReadyMs: { cold: number; warm: number };
  /** The extra cold and warm start at LOG_LEVEL=info, with the stages read from the log; not in the medians. */
  breakdown?: { cold: StartResult & { stages: BootStage[] }; warm: StartResult & { stages: BootStage[] } };
  target: { ms: number; met: boolean };
}

export interface TimedStart {
  run: number;
  kind: 'cold' | 'warm';
  measurement: StartMeasurement;
}

function startResult({ run, kind, measurement }: TimedStart): StartResult {
  return {
    run,
    kind,
    readyMs: round(measurement.readyMs, 0),
    ...(measurement.readyLineMs === undefined ? {} : { readyLineMs: round(measurement.readyLineMs, 0) }),
    cpuSecondsAtReady: round(measurement.cpuSecondsAtReady, 2),
    rssMiBAtReady: round(measurement.rssMiBAtReady, 1),
    stopMs: round(measurement.stopMs, 0),
    exitCode: measurement.exitCode,
  };
}

function withStages(start: TimedStart): StartResult & { stages: BootStage[] } {
  const stages = (start.measurement.stages ?? []).map((stage) => ({ name: stage.name, ms: round(stage.ms, 0) }));
  return { ...startResult(start), stages };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The run's result from its timed starts and the optional breakdown pair. */
export function coldStartBenchResult(run: {
  startedAt: string;
  options: ColdStartBenchOptions;
  starts: TimedStart[];
  breakdown?: { cold: TimedStart; warm: TimedStart };
}): ColdStartBenchResult {
  const starts = run.starts.map(startResult);
  const readyOf = (kind: 'cold' | 'warm') =>
    starts.filter((start) => start.kind === kind).map((start) => start.readyMs);
  const cold = median(readyOf('cold'));
  return {
    startedAt: run.startedAt,
    options: run.options,
    machine: {
      ...machineInfo({ database: 'PGlite (embedded)', store: 'in-process' }),
      pglite: installedPgliteVersion(),
    },
    starts,
    medianReadyMs: { cold: round(cold, 0), warm: round(median(readyOf('warm')), 0) },
    ...(run.breakdown
      ? { breakdown: { cold: withStages(run.breakdown.cold), warm: withStages(run.breakdown.warm) } }
      : {}),
    target: { ms: COLD_START_TARGET_MS, met: cold < COLD_START_TARGET_MS },
  };
}

const seconds = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? '-' : (ms / 1000).toFixed(2));

/** The run as a plain-text table for the terminal. */
export function formatColdStartTable(result: ColdStartBenchResult): string {
  const { machine } = result;
  const header = ['ready s', 'CPU s', 'RSS MiB', 'stop s'].map((h) => h.padStart(9)).join('');
  const lines = [
    `IDToken cold start (embedded PGlite ${machine.pglite}, in-process store) — ${machine.cpuCount} × ` +
      `${machine.cpuModel}, Node ${machine.node}`,
    `spawn → first 200 of GET /health/ready · LOG_LEVEL=warn · ${result.options.runs} cold ` +
      `start${result.options.runs === 1 ? '' : 's'}, each followed by a warm one`,
    '',
    `${'start'.padEnd(16)}${header}`,
    ...result.starts.map(
      (start) =>
        `${`${start.kind} ${start.run}`.padEnd(16)}${[
          seconds(start.readyMs),
          start.cpuSecondsAtReady.toFixed(2),
          start.rssMiBAtReady.toFixed(0),
          seconds(start.stopMs),
        ]
          .map((v) => v.padStart(9))
          .join('')}`,
    ),
    `${'median cold'.padEnd(16)}${seconds(result.medianReadyMs.cold).padStart(9)}`,
    `${'median warm'.padEnd(16)}${seconds(result.medianReadyMs.warm).padStart(9)}`,
    `${`target < ${result.target.ms / 1000} s`.padEnd(16)}${(result.target.met ? 'met' : 'MISSED').padStart(9)}` +
      ` (median cold start)`,
  ];
  if (result.breakdown) lines.push('', ...formatBreakdown(result.breakdown));
  return lines.join('\n');
}

/** Stages under this in both starts are summed into one line. */
const SMALL_STAGE_MS = 50;

function formatBreakdown(breakdown: NonNullable<ColdStartBenchResult['breakdown']>): string[] {
  const { cold, warm } = breakdown;
  const warmMs = new Map(warm.stages.map((stage) => [stage.name, stage.ms]));
  const rows: string[] = [];
  let smallCold = 0;
  let smallWarm = 0;
  let smallCount = 0;
  for (const stage of cold.stages) {
    const other = warmMs.get(stage.name) ?? 0;
    if (stage.ms < SMALL_STAGE_MS && other < SMALL_STAGE_MS) {
      smallCold += stage.ms;
      smallWarm += other;
      smallCount += 1;
      continue;
    }
    rows.push(stageRow(stage.name, stage.ms, warmMs.get(stage.name)));
  }
  if (smallCount > 0) rows.push(stageRow(`${smallCount} more, each < ${SMALL_STAGE_MS} ms`, smallCold, smallWarm));
  return [
    `where the start goes (one more cold and warm start at LOG_LEVEL=info, from its log; not in the medians)`,
    `${'stage, ended by'.padEnd(34)}${['cold s', 'warm s'].map((h) => h.padStart(9)).join('')}`,
    ...rows,
    stageRow('total to first ready', cold.readyMs, warm.readyMs),
  ];
}

function stageRow(name: string, coldMs: number, warmMs: number | undefined): string {
  return `${name.padEnd(34)}${seconds(coldMs).padStart(9)}${seconds(warmMs).padStart(9)}`;
}

/** Writes `cold-start-<ISO timestamp>.json` into `directory` (colons as `-`, so the name is valid everywhere). */
export function writeColdStartResult(directory: string, result: ColdStartBenchResult): string {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `cold-start-${result.startedAt.replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
