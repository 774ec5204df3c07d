import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { scanQrPng } from '../../apps/device/src/index.js';

/** Debian's Chromium (`apt-get install chromium`, done by .ci/run). */
export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Whether the browser tests can run here. Where CI installed Chromium (IDTOKEN_REQUIRE_BROWSER=1) a missing one
 * fails the run instead of skipping it.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.IDTOKEN_REQUIRE_BROWSER === '1') {
    throw new Error(`IDTOKEN_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install chromium`);
  }
  process.stderr.write(`browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** Screenshots of each screen go here (git-ignored), for people to look at. */
export const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core in the page (evaluated through DevTools, which the page's CSP does not govern): the serious and
 * critical violations of WCAG 2.1 A/AA and best practices, as `id: help (targets)` lines.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  // A string, run in the page: this project compiles without the DOM library.
  const violations =
    (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} } })
    .then((result) => result.violations)`)) as AxeViolation[];
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
    );
}

/** The text of the QR code shown in `selector`, read from a screenshot of it as a scanner would. */
export async function readQr(page: Page, selector: string): Promise<string> {
  return scanQrPng(await page.locator(selector).screenshot());
}

/** What an HTML document holds that a strict CSP forbids: inline scripts, style elements, style attributes, handlers. */
export function inlineCode(html: string): string[] {
  const found: string[] = [];
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) if (!/\bsrc=/i.test(tag)) found.push(tag);
  for (const tag of html.match(/<style\b[^>]*>/gi) ?? []) found.push(tag);
  for (const attribute of html.match(/<[^>]+\s(style|on[a-z]+)=/gi) ?? []) found.push(attribute);
  return found;
}

/**
 * Waits until the element `selector` reads `text` (or matches it). Polled from here: the pages' CSP forbids the
 * string evaluation that page.waitForFunction would need.
 */
export async function textOf(page: Page, selector: string, text: string | RegExp, timeout = 30_000): Promise<void> {
  const matches = (value: string) => (typeof text === 'string' ? value === text : text.test(value));
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last =
      (await page
        .locator(selector)
        .textContent({ timeout: 1_000 })
        .catch(() => null)) ?? '';
    if (matches(last.trim())) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${selector} reads "${last}", not ${String(text)}, after ${timeout} ms`);
}

/** The policy the main document was served with. */
export async function cspOf(response: Response | null): Promise<string> {
  const header = (await response?.allHeaders())?.['content-security-policy'];
  if (!header) throw new Error(`no Content-Security-Policy on ${response?.url() ?? 'the page'}`);
  return header;
}
