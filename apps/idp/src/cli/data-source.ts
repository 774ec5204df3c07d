/**
 * The DataSource the TypeORM CLI uses (`npm run migration:*`): same builder, entities and migrations as the
 * server, so `migration:generate` diffs against exactly what the server runs.
 */
import { DataSource } from 'typeorm';
import { dataSourceOptions, loadConfig } from '#idtoken/platform';
import { persistence } from '../persistence.js';

const config = loadConfig(process.env, {
  warn: (message) => process.stderr.write(`${message}\n`),
});

export default new DataSource(dataSourceOptions(config, persistence));
