import { performance } from 'node:perf_hooks';
import { bareInteraction, startBareProvider } from './oidc-bare-provider.js';
import { runCodeFlow } from './oidc-code-flow.js';
import { idTokenFlows, OIDC_SCOPE, REDIRECT_URI, registerIdTokenClient } from './oidc-idtoken-setup.js';
import type { OidcBenchOptions } from './oidc-options.js';
import { runFlows, warmUpFlows, type FlowRunner, type PhaseOutcome } from './oidc-phase.js';
import { OidcRelyingParty } from './oidc-relying-party.js';
import { populate } from './population.js';

export interface OidcPhasesPlan extends OidcBenchOptions {
  /** Where the IdP under test listens (startBenchServer), and its admin key. */
  baseUrl: string;
  adminKey: string;
  log?: (line: string) => void;
}

export interface OidcPhases {
  idtoken: PhaseOutcome;
  bare: PhaseOutcome & { oidcProviderVersion: string };
  /** Phones, client registration, trust, discovery and both warm-ups: seconds outside the timed phases. */
  setupSeconds: number;
}

/**
 * Both phases of the OIDC benchmark, one after the other with the same client code, concurrency and duration:
 * (a) the IdP's code flow with the phone approving; (b) the same flow against a bare oidc-provider in this process.
 */
export async function measureOidcPhases(plan: OidcPhasesPlan): Promise<OidcPhases> {
  const log = plan.log ?? (() => undefined);
  const { flowsConcurrency: concurrency, durationSeconds } = plan;
  let setupMs = 0;
  const timedSetup = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      setupMs += performance.now() - started;
    }
  };

  log(`setting up ${plan.devices} phones (issue, enroll, trust)…`);
  const population = await timedSetup(() =>
    populate(plan.baseUrl, plan.adminKey, plan.devices, (done) => {
      if (done % 10 === 0 || done === plan.devices) log(`  ${done}/${plan.devices} phones ready`);
    }),
  );
  let idtoken: PhaseOutcome;
  try {
    const flows: FlowRunner = await timedSetup(async () => {
      const client = await registerIdTokenClient(plan.baseUrl, plan.adminKey, population.phones);
      const run = idTokenFlows({ baseUrl: plan.baseUrl, ...client }, population.phones);
      await warmUpFlows('IDToken', run, concurrency);
      return run;
    });
    log(`phase (a) IDToken: ${concurrency} workers for ${durationSeconds} s…`);
    idtoken = await runFlows(flows, concurrency, durationSeconds);
  } finally {
    population.dispose();
  }

  const bareProvider = await timedSetup(() =>
    startBareProvider({ clientId: 'bench-bare-rp', redirectUri: REDIRECT_URI, scope: OIDC_SCOPE }),
  );
  try {
    const flows: FlowRunner = await timedSetup(async () => {
      const rp = await OidcRelyingParty.discover(bareProvider.baseUrl, bareProvider.client);
      const interaction = bareInteraction((url) => rp.isCallback(url));
      const run: FlowRunner = (worker) => runCodeFlow(rp, { loginHint: `holder-${worker}` }, interaction);
      await warmUpFlows('bare oidc-provider', run, concurrency);
      return run;
    });
    log(`phase (b) bare oidc-provider ${bareProvider.version}: ${concurrency} workers for ${durationSeconds} s…`);
    const bare = await runFlows(flows, concurrency, durationSeconds);
    return { idtoken, bare: { ...bare, oidcProviderVersion: bareProvider.version }, setupSeconds: setupMs / 1000 };
  } finally {
    await bareProvider.close();
  }
}
