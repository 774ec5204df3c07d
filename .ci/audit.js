#!/usr/bin/env node
// CI's dependency audit: `npm audit --omit=dev`, failing on a high or critical advisory that
// .ci/audit-exceptions.json does not excuse (each exception names the advisory, why it does not apply, and the
// date it must be looked at again; an expired exception fails like the advisory itself).
// A registry without npm's audit endpoint (a read-only mirror answers 405) cannot be audited: that is printed
// plainly and fails only when IDTOKEN_REQUIRE_AUDIT=1, so a machine behind such a mirror can still run CI.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BLOCKING = new Set(['high', 'critical']);
const here = dirname(fileURLToPath(import.meta.url));

/** npm audit exits 1 when it finds anything; its JSON report is on stdout either way. */
async function npmAudit() {
  try {
    const { stdout } = await promisify(execFile)('npm', ['audit', '--omit=dev', '--json'], {
      cwd: join(here, '..'),
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout);
  } catch (error) {
    if (typeof error?.stdout === 'string' && error.stdout.trim().startsWith('{')) return JSON.parse(error.stdout);
    throw error;
  }
}

/** One line per advisory (npm's report nests them under the packages they reach). */
export function blockingAdvisories(report) {
  const found = new Map();
  for (const [name, vulnerability] of Object.entries(report.vulnerabilities ?? {})) {
    for (const via of vulnerability.via ?? []) {
      if (typeof via !== 'object' || !BLOCKING.has(via.severity)) continue;
      found.set(via.url, { package: via.name ?? name, severity: via.severity, title: via.title, url: via.url });
    }
  }
  return [...found.values()];
}

/** Advisories no live exception excuses, and exceptions past their date. */
export function judge(advisories, exceptions, today = new Date()) {
  const live = exceptions.filter((exception) => new Date(exception.until) >= today);
  const expired = exceptions.filter((exception) => new Date(exception.until) < today);
  const unexcused = advisories.filter((advisory) => !live.some((exception) => exception.advisory === advisory.url));
  return { unexcused, expired };
}

async function main() {
  const exceptions = JSON.parse(readFileSync(join(here, 'audit-exceptions.json'), 'utf8')).exceptions;
  const report = await npmAudit();
  if (report.statusCode || report.error) {
    const reason = report.message ?? JSON.stringify(report.error);
    process.stdout.write(`dependency audit could not run: the registry's audit endpoint refused (${reason})\n`);
    process.exitCode = process.env.IDTOKEN_REQUIRE_AUDIT === '1' ? 1 : 0;
    return;
  }
  const { unexcused, expired } = judge(blockingAdvisories(report), exceptions);
  for (const advisory of unexcused) {
    process.stdout.write(`${advisory.severity}: ${advisory.package} — ${advisory.title} (${advisory.url})\n`);
  }
  for (const exception of expired) {
    process.stdout.write(`exception expired on ${exception.until}: ${exception.advisory} — look at it again\n`);
  }
  const counts = report.metadata?.vulnerabilities ?? {};
  process.stdout.write(
    `dependency audit (production dependencies): ${JSON.stringify(counts)}; ${unexcused.length} high or critical ` +
      `not excused, ${exceptions.length - expired.length} exception(s) in force\n`,
  );
  if (unexcused.length > 0 || expired.length > 0) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`dependency audit failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
