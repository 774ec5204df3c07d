import { Logger, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { KeyMaterialStore } from '#idtoken/keys';
import { AppConfig, ConfigError, EphemeralStore, SecretBox } from '#idtoken/platform';
import { DevPkiRepository } from './pki/dev-pki.repository.js';
import { DevPkiSource } from './pki/dev-pki.source.js';
import { TrustFilesSource } from './pki/trust-files.source.js';
import type { TrustMaterialSource } from './pki/trust-material.js';
import { RevocationList } from './revocation/revocation-list.js';
import { RevocationRepository } from './revocation/revocation.repository.js';
import { TrustChanges } from './trust-changes.js';
import { TrustStore } from './trust.store.js';

/** Production reads files; development and test keep a generated PKI in the database. Never the other way round. */
export function trustMaterialSource(
  config: AppConfig,
  dataSource: DataSource,
  box: SecretBox,
  audit: AuditTrail,
): TrustMaterialSource {
  if (config.trustFiles) return new TrustFilesSource(config.trustFiles);
  if (config.isProduction) {
    throw new ConfigError(
      'Invalid configuration: TRUST_ANCHORS_FILE is required when NODE_ENV=production (no development PKI in production; see docs/configuration.md)',
    );
  }
  return new DevPkiSource(new DevPkiRepository(new KeyMaterialStore(dataSource, box), audit));
}

export const trustStoreProvider: Provider = {
  provide: TrustStore,
  inject: [AppConfig, DataSource, SecretBox, EphemeralStore, AuditTrail],
  useFactory: async (
    config: AppConfig,
    dataSource: DataSource,
    box: SecretBox,
    store: EphemeralStore,
    audit: AuditTrail,
  ): Promise<TrustStore> => {
    const logger = new Logger('TrustStore');
    const warn = (message: string) => logger.warn(message);
    const source = trustMaterialSource(config, dataSource, box, audit);
    const changes = new TrustChanges(store, { warn });
    const revocations = new RevocationList(new RevocationRepository(dataSource, audit), changes, { warn });
    await revocations.reload();
    const trust = await TrustStore.open({ source, revocations, changes, warn });
    // In the background: a store that is down must not stop the boot (readiness reports it).
    void changes.start();
    return trust;
  },
};
