import { readFileSync } from 'node:fs';
import { startTestApp, type RunningApp } from './support/test-app.js';

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

/** The Grafana dashboard in docs/ queries only series this server exports (it cannot drift from the code). */
describe('metrics and the Grafana dashboard (docs/grafana-dashboard.json)', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(async () => server?.close());

  it('every series a panel queries is one /metrics exports', async () => {
    const exposition = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const exported = new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
    const dashboard = JSON.parse(
      readFileSync(new URL('../docs/grafana-dashboard.json', import.meta.url), 'utf8'),
    ) as Dashboard;
    const queried = new Set(
      dashboard.panels.flatMap((panel) =>
        panel.targets.flatMap((target) =>
          [...target.expr.matchAll(/\b([a-z_][a-z0-9_]*)\{/g)].map((match) => match[1]!),
        ),
      ),
    );
    expect(queried.size).toBeGreaterThan(10);
    const missing = [...queried].filter((name) => !exported.has(name.replace(/_(bucket|count|sum)$/, '')));
    expect(missing).toEqual([]);
    for (const name of ['idtoken_rate_limited_total', 'idtoken_oidc_requests_total', 'idtoken_saml_requests_total']) {
      expect(exported).toContain(name);
    }
  });
});
