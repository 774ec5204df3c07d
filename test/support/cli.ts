import type { AppConfig } from '#idtoken/platform';
import { runIdtokenCli } from '../../apps/idp/src/cli/idtoken.js';

/** `npm run idtoken -- …` without the build step: the same function, in this process, its output captured. */
export async function runIdtoken(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runIdtokenCli(args, env, {
    out: (text) => (out += text),
    err: (text) => (err += text),
  });
  return { code, out, err };
}

/** The environment `npm run idtoken` would need to act on the database and store of a test environment's `config`. */
export function cliEnvironment(config: AppConfig): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: config.dataDir,
    IDTOKEN_MASTER_SECRET: config.masterSecret.toString('hex'),
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    REDIS_PREFIX: config.redisPrefix,
  };
}
