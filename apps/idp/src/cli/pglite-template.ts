/**
 * `npm run build`'s last step: archives a PGlite data folder with every migration applied as dist/pglite-template.tgz
 * (libs/platform pglite-template.ts says why). Skipped when the one there already matches the installed PGlite and
 * the migrations.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { getPGliteInstance } from 'typeorm-pglite';
import {
  PGLITE_TEMPLATE,
  dataSourceOptions,
  installedPgliteVersion,
  readTemplateStamp,
  type PgliteTemplateStamp,
} from '#idtoken/platform';
import { migrations } from '#migrations';
import { persistence } from '../persistence.js';

async function main(): Promise<void> {
  const stamp: PgliteTemplateStamp = {
    pglite: installedPgliteVersion(),
    migrations: migrations.map((migration) => migration.name),
  };
  const existing = readTemplateStamp();
  if (existing && JSON.stringify(existing) === JSON.stringify(stamp)) return;
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'idtoken-pglite-template-'));
  // PGlite's start-up awaits work that holds no handle open: without one, Node would exit before it finished.
  const keepAlive = setInterval(() => undefined, 1_000);
  try {
    const dataSource = new DataSource(dataSourceOptions({ dataDir, databaseUrl: undefined }, persistence));
    await dataSource.initialize();
    await dataSource.runMigrations();
    // The PGlite instance TypeORM used (typeorm-pglite keeps one per process): archived before it closes.
    const archive = await (await getPGliteInstance()).dumpDataDir('gzip');
    await dataSource.destroy();
    writeFileSync(PGLITE_TEMPLATE.archive, Buffer.from(await archive.arrayBuffer()));
    writeFileSync(PGLITE_TEMPLATE.stamp, `${JSON.stringify(stamp, null, 2)}\n`);
    process.stdout.write(
      `PGlite template with ${stamp.migrations.length} migrations built in ${Date.now() - started} ms\n`,
    );
  } finally {
    clearInterval(keepAlive);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `building the PGlite template failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
