import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A PGlite data folder with every migration applied, archived by `npm run build` (dist/pglite-template.tgz): a server
 * whose DATA_DIR is new starts from it instead of running PostgreSQL's initdb in WebAssembly (seconds of CPU) and
 * every migration. The stamp next to it names the PGlite version and the migrations it holds; a template that does
 * not match the installed PGlite is not used, and migrations the template lacks run as usual.
 */
export interface PgliteTemplateStamp {
  pglite: string;
  migrations: string[];
}

/** dist/ when this module runs compiled (dist/libs/platform/src/database/); from the sources there is none. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export const PGLITE_TEMPLATE = {
  archive: join(ROOT, 'pglite-template.tgz'),
  stamp: join(ROOT, 'pglite-template.json'),
};

/** The installed PGlite's version (its package.json is not exported, so it is found next to its entry point). */
export function installedPgliteVersion(): string {
  let folder = dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  while (!existsSync(join(folder, 'package.json')) && dirname(folder) !== folder) folder = dirname(folder);
  return String((JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version?: unknown }).version);
}

export function readTemplateStamp(): PgliteTemplateStamp | undefined {
  try {
    return JSON.parse(readFileSync(PGLITE_TEMPLATE.stamp, 'utf8')) as PgliteTemplateStamp;
  } catch {
    return undefined;
  }
}

/** The template to load into `dataDir`, when the folder holds no database yet and a matching template was built. */
export function templateFor(dataDir: string): Blob | undefined {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return undefined;
  const stamp = readTemplateStamp();
  if (!stamp || !existsSync(PGLITE_TEMPLATE.archive) || stamp.pglite !== installedPgliteVersion()) return undefined;
  return new Blob([readFileSync(PGLITE_TEMPLATE.archive)]);
}
