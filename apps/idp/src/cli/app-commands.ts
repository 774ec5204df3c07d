import { readFile } from 'node:fs/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccountLinks } from '#idtoken/accounts';
import { EnrollmentService, REVOCATION_REASONS, TokenIdSchema, type RevocationReason } from '#idtoken/enrollment';
import { Rs256TokenKeys, TokenKeys } from '#idtoken/keys';
import { DomainError, type AppConfig } from '#idtoken/platform';
import { AppModule } from '../app.module.js';
import type { CliOutput, ExitCode } from './pki-commands.js';

/** Who the audit trail names for what these commands do. */
const ACTOR = 'cli';

/**
 * Runs `work` inside the server's own application context — the same services, database, Redis and audit trail
 * as a running node, no HTTP listener — so a command does exactly what the matching admin route does (and running
 * nodes hear of it through Redis). A domain refusal is printed as `code: detail` with exit 1.
 */
async function withServer(
  config: AppConfig,
  io: CliOutput,
  work: (app: INestApplicationContext) => Promise<ExitCode>,
): Promise<ExitCode> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: false,
    abortOnError: false,
  });
  try {
    return await work(app);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    io.err(`${error.code}: ${error.detail}\n`);
    const errors = error.extensions.errors;
    if (Array.isArray(errors)) for (const each of errors) io.err(`  ${JSON.stringify(each)}\n`);
    return 1;
  } finally {
    await app.close();
  }
}

/** `keys:rotate [--algorithm ES256|RS256] [--immediate]`: POST /admin/keys/rotate from a shell. */
export function rotateKeys(
  config: AppConfig,
  input: { algorithm: string | undefined; immediate: boolean },
  io: CliOutput,
): Promise<ExitCode> | ExitCode {
  const algorithm = input.algorithm ?? 'ES256';
  if (algorithm !== 'ES256' && algorithm !== 'RS256') {
    io.err('keys:rotate takes --algorithm ES256 or RS256\n');
    return 2;
  }
  return withServer(config, io, async (app) => {
    const family = algorithm === 'ES256' ? app.get(TokenKeys) : app.get(Rs256TokenKeys);
    const rotated = await family.rotate({ actor: ACTOR }, { immediate: input.immediate });
    io.err(
      `New ${algorithm} key, published now, signing from ${rotated.activatesAt.toISOString()}; ` +
        `retiring ${rotated.retiring.join(', ') || 'nothing'}.\n`,
    );
    io.out(`${rotated.kid}\n`);
    return 0;
  });
}

/** `enrollment:revoke --token-id ID --reason R`: POST /revoke from a shell (a lost phone reported by telephone). */
export function revokeEnrollment(
  config: AppConfig,
  input: { tokenId: string | undefined; reason: string | undefined },
  io: CliOutput,
): Promise<ExitCode> | ExitCode {
  const tokenId = TokenIdSchema.safeParse(input.tokenId);
  if (!tokenId.success || !REVOCATION_REASONS.includes(input.reason as RevocationReason)) {
    io.err(`enrollment:revoke needs --token-id UUID and --reason ${REVOCATION_REASONS.join('|')}\n`);
    return 2;
  }
  return withServer(config, io, async (app) => {
    const revoked = await app
      .get(EnrollmentService)
      .revoke(tokenId.data, input.reason as RevocationReason, { actor: ACTOR });
    io.out(`Revoked ${revoked.tokenId} (${revoked.revocationReason}) at ${revoked.revokedAt?.toISOString()}.\n`);
    return 0;
  });
}

/** `account-links:import --service ID --file links.csv`: POST /admin/services/{id}/account-links/import. */
export async function importAccountLinks(
  config: AppConfig,
  input: { service: string | undefined; file: string | undefined },
  io: CliOutput,
): Promise<ExitCode> {
  const { service, file } = input;
  if (!service || !file) {
    io.err('account-links:import needs --service SERVICE_ID and --file FILE.csv\n');
    return 2;
  }
  let csv: string;
  try {
    csv = await readFile(file, 'utf8');
  } catch (error) {
    io.err(`cannot read ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  return withServer(config, io, async (app) => {
    const result = await app.get(AccountLinks).importCsv(service, csv, { actor: ACTOR });
    io.out(
      `Imported into ${service}: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged.\n`,
    );
    return 0;
  });
}
