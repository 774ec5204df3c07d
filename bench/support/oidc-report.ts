import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowTimings } from './oidc-code-flow.js';
import type { OidcBenchOptions } from './oidc-options.js';
import type { PhaseOutcome } from './oidc-phase.js';
import { OIDC_SCOPE } from './oidc-idtoken-setup.js';
import type { OidcPhases } from './oidc-phases.js';
import { machineInfo } from './report.js';
import type { Backends } from './server.js';
import { round, summarize, type LatencySummary } from './stats.js';

/** The target of issue 10: the bare provider's rate at most this many times the IdP's. */
export const OVERHEAD_TARGET = 2;

/** One phase's numbers. */
export interface OidcPhaseResult {
  elapsedSeconds: number;
  flowsCompleted: number;
  flowsPerSecond: number;
  errors: number;
  errorKinds: Record<string, number>;
  latencyMs: Record<keyof typeof STEPS, LatencySummary>;
  /** user + system CPU of this whole process (server and clients) over the phase, per completed flow. */
  cpuMsPerFlow: number;
  cpuSecondsTotal: number;
}

/** Everything one OIDC run measured; written as JSON next to the printed table. */
export interface OidcBenchResult {
  startedAt: string;
  options: OidcBenchOptions;
  machine: ReturnType<typeof machineInfo> & { oidcProvider: string };
  /** What each flow did, the same in both phases. */
  flow: { scope: string; pkce: 'S256'; clientAuthentication: 'client_secret_basic'; idTokenAlg: 'ES256' };
  setupSeconds: number;
  idtoken: OidcPhaseResult;
  bareOidcProvider: OidcPhaseResult;
  overhead: {
    /** bare flows/s ÷ IDToken flows/s. */
    flowsPerSecond: number;
    /** IDToken CPU per flow ÷ bare CPU per flow. */
    cpuPerFlow: number;
    target: number;
    withinTarget: boolean;
  };
}

const STEPS = {
  authorize: 'authorizeMs',
  interaction: 'interactionMs',
  token: 'tokenMs',
  userinfo: 'userinfoMs',
  endToEnd: 'endToEndMs',
} as const satisfies Record<string, keyof FlowTimings>;

const STEP_LABELS: Record<keyof typeof STEPS, string> = {
  authorize: 'authorize',
  interaction: 'interaction',
  token: 'token + id_token',
  userinfo: 'userinfo',
  endToEnd: 'end-to-end',
};

/** The run's result from what `measureOidcPhases` measured. */
export function oidcBenchResult(run: {
  startedAt: string;
  options: OidcBenchOptions;
  backends: Backends;
  phases: OidcPhases;
}): OidcBenchResult {
  const idtoken = phaseResult(run.phases.idtoken);
  const bare = phaseResult(run.phases.bare);
  return {
    startedAt: run.startedAt,
    options: run.options,
    machine: { ...machineInfo(run.backends), oidcProvider: run.phases.bare.oidcProviderVersion },
    flow: { scope: OIDC_SCOPE, pkce: 'S256', clientAuthentication: 'client_secret_basic', idTokenAlg: 'ES256' },
    setupSeconds: round(run.phases.setupSeconds),
    idtoken,
    bareOidcProvider: bare,
    overhead: overheadOf(idtoken, bare),
  };
}

function phaseResult(outcome: PhaseOutcome): OidcPhaseResult {
  const completed = outcome.timings.length;
  const latencyMs = Object.fromEntries(
    Object.entries(STEPS).map(([step, field]) => [step, summarize(outcome.timings.map((timing) => timing[field]))]),
  ) as OidcPhaseResult['latencyMs'];
  return {
    elapsedSeconds: round(outcome.elapsedSeconds),
    flowsCompleted: completed,
    flowsPerSecond: round(completed / outcome.elapsedSeconds, 2),
    errors: outcome.errors.total,
    errorKinds: Object.fromEntries(outcome.errors.entries()),
    latencyMs,
    cpuMsPerFlow: completed === 0 ? Number.NaN : round((outcome.cpuSeconds * 1000) / completed, 3),
    cpuSecondsTotal: round(outcome.cpuSeconds),
  };
}

function overheadOf(idtoken: OidcPhaseResult, bare: OidcPhaseResult): OidcBenchResult['overhead'] {
  const flowsPerSecond = round(bare.flowsPerSecond / idtoken.flowsPerSecond, 2);
  return {
    flowsPerSecond,
    cpuPerFlow: round(idtoken.cpuMsPerFlow / bare.cpuMsPerFlow, 2),
    target: OVERHEAD_TARGET,
    withinTarget: flowsPerSecond <= OVERHEAD_TARGET,
  };
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const PERCENTILES = ['p50', 'p95', 'p99'] as const;
const percentileHeader = PERCENTILES.map((p) => p.padStart(8)).join('');
const percentileCells = (summary: LatencySummary) => PERCENTILES.map((p) => fixed(summary[p], 1).padStart(8)).join('');

/** The run as a plain-text table for the terminal: the two phases side by side. */
export function formatOidcTable(result: OidcBenchResult): string {
  const { machine, options, idtoken, bareOidcProvider: bare, overhead } = result;
  const pair = (label: string, a: string, b: string) => `${label.padEnd(24)}${a.padStart(12)}${b.padStart(12)}`;
  const kinds = (phase: string, kinds: Record<string, number>) =>
    Object.entries(kinds).map(([kind, count]) => `  ${phase}: ${kind} ×${count}`);
  const lines = [
    `IDToken OIDC benchmark — ${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}`,
    `database: ${machine.database} · store: ${machine.store} · oidc-provider ${machine.oidcProvider}`,
    `flows concurrency ${options.flowsConcurrency} · duration ${options.durationSeconds} s per phase` +
      ` · devices ${options.devices} · setup ${result.setupSeconds.toFixed(1)} s`,
    `each flow: scope "${result.flow.scope}", PKCE ${result.flow.pkce}, ${result.flow.clientAuthentication},` +
      ` ${result.flow.idTokenAlg} ID token checked against the JWKS, userinfo`,
    '',
    pair('code flows', 'IDToken', 'bare'),
    pair('flows completed', String(idtoken.flowsCompleted), String(bare.flowsCompleted)),
    pair('flows/s', fixed(idtoken.flowsPerSecond, 1), fixed(bare.flowsPerSecond, 1)),
    pair('errors', String(idtoken.errors), String(bare.errors)),
    ...kinds('IDToken', idtoken.errorKinds),
    ...kinds('bare', bare.errorKinds),
    pair('CPU ms per flow', fixed(idtoken.cpuMsPerFlow, 2), fixed(bare.cpuMsPerFlow, 2)),
    '',
    `${'latency (ms)'.padEnd(18)}${'IDToken'.padStart(24)}  ${'bare'.padStart(24)}`,
    `${''.padEnd(18)}${percentileHeader}  ${percentileHeader}`,
    ...(Object.keys(STEPS) as (keyof typeof STEPS)[]).map(
      (step) =>
        `${STEP_LABELS[step].padEnd(18)}${percentileCells(idtoken.latencyMs[step])}  ` +
        percentileCells(bare.latencyMs[step]),
    ),
    '',
    `${'overhead (bare ÷ IDToken flows/s)'.padEnd(36)}${fixed(overhead.flowsPerSecond, 2).padStart(8)}×` +
      `   target ≤ ${overhead.target}×: ${overhead.withinTarget ? 'met' : 'not met'}`,
    `${'CPU ratio (IDToken ÷ bare per flow)'.padEnd(36)}${fixed(overhead.cpuPerFlow, 2).padStart(8)}×`,
  ];
  return lines.join('\n');
}

/** Writes `oidc-<ISO timestamp>.json` into `directory` (colons as `-`), as the login benchmark names its own. */
export function writeOidcResult(directory: string, result: OidcBenchResult): string {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `oidc-${result.startedAt.replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
