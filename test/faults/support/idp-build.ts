import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { run } from './child-process.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The production entry point, as `npm start` runs it. */
export const MAIN = join(ROOT, 'dist/apps/idp/src/main.js');
const SOURCES = ['apps', 'libs', 'migrations'].map((folder) => join(ROOT, folder));
const LOCK = join(ROOT, 'dist', '.fault-build.lock');

/** The newest modification time of the TypeScript sources `npm run build` compiles. */
function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function upToDate(): boolean {
  return existsSync(MAIN) && statSync(MAIN).mtimeMs > Math.max(...SOURCES.map(newestSource));
}

/**
 * `npm run build`, unless dist/ is already newer than every source: each fault file runs the server as the
 * production build (child processes it can SIGKILL), and the first file of a run builds it for the others. A lock
 * folder keeps test files run in parallel from building over each other.
 */
export async function ensureBuilt(): Promise<void> {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (;;) {
    if (upToDate()) return;
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another file is building; a lock older than 5 minutes is left over from an interrupted run.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true });
      await delay(1_000);
    }
  }
  try {
    if (!upToDate()) await run('npm', ['run', 'build'], { cwd: ROOT });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
