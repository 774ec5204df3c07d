import type { EntityManager } from 'typeorm';
import { DEFAULT_SNAPSHOT_STALENESS_MS, ReloadingSnapshot } from '#idtoken/platform';
import type { TrustChanges } from '../trust-changes.js';
import type { RevocationInput, RevocationRepository } from './revocation.repository.js';

/** What the list needs of its storage: RevocationRepository (tests pass an in-memory one). */
export type RevocationRecords = Pick<
  RevocationRepository,
  'load' | 'entries' | 'revokeFingerprint' | 'revokeCertificate' | 'afterCommit' | 'close'
>;

/** One consistent view of the VRL. */
export interface RevocationSnapshot {
  fingerprints: ReadonlySet<string>;
  certificateReferences: ReadonlySet<string>;
}

export interface RevocationListOptions {
  now?: () => number;
  /**
   * Safety net when a change message is lost (store down, reconnect): a view older than this is reloaded
   * before it is used. Messages normally make other nodes reload within milliseconds.
   */
  maxStalenessMs?: number;
  warn?: (message: string) => void;
}

export const DEFAULT_MAX_STALENESS_MS = DEFAULT_SNAPSHOT_STALENESS_MS;

/**
 * The VRL as this node sees it: cached in memory (a ReloadingSnapshot: concurrent readers share one load, a load that
 * started before a known change is never served, an older load never replaces a newer one), reloaded when a node
 * announces a change on `trust:changed`, and never older than `maxStalenessMs`. A revocation made on this node is
 * visible here as soon as the call (or, inside a caller's transaction, its commit) returns.
 */
export class RevocationList {
  private readonly snapshot: ReloadingSnapshot<RevocationSnapshot>;

  constructor(
    private readonly records: RevocationRecords,
    private readonly changes: TrustChanges,
    private readonly options: RevocationListOptions = {},
  ) {
    this.snapshot = new ReloadingSnapshot(async () => {
      const entries = await this.records.load();
      return {
        fingerprints: new Set(entries.fingerprints),
        certificateReferences: new Set(entries.certificateReferences),
      };
    }, options);
    changes.onChange((change) => {
      if (change !== 'revocations') return;
      this.invalidate();
      this.current().catch((error: unknown) =>
        this.options.warn?.(`reloading the revocation list failed: ${String(error)}`),
      );
    });
  }

  /** The current view, reloaded first when out of date. Rejects when the database fails. */
  current(): Promise<RevocationSnapshot> {
    return this.snapshot.current();
  }

  /** Loads from the database now; a load that started before the one currently applied is discarded on arrival. */
  reload(): Promise<RevocationSnapshot> {
    return this.snapshot.reload();
  }

  close(): void {
    this.records.close();
  }

  /** Marks the view out of date without querying; the next read reloads. */
  invalidate(): void {
    this.snapshot.invalidate();
  }

  /** Every entry with its reason, actor and time, read from storage (admin view). */
  entries(only?: string): ReturnType<RevocationRecords['entries']> {
    return this.records.entries(only);
  }

  revokeFingerprint(fingerprint: string, input: RevocationInput, manager?: EntityManager): Promise<boolean> {
    return this.afterChange(this.records.revokeFingerprint(fingerprint, input, manager), manager);
  }

  revokeCertificate(certificateReference: string, input: RevocationInput, manager?: EntityManager): Promise<boolean> {
    return this.afterChange(this.records.revokeCertificate(certificateReference, input, manager), manager);
  }

  /** Transactions, then events: once committed, make it visible here, then tell the other nodes. */
  private async afterChange(committed: Promise<boolean>, manager: EntityManager | undefined): Promise<boolean> {
    const added = await committed;
    if (manager) {
      // The caller's transaction is still open: act on its commit, without querying while it holds the connection.
      if (added) {
        this.records.afterCommit(manager, () => {
          this.invalidate();
          void this.announce();
        });
      }
      return added;
    }
    await this.reload();
    if (added) await this.announce();
    return added;
  }

  private async announce(): Promise<void> {
    try {
      await this.changes.publish('revocations');
    } catch (error) {
      // Committed and visible here; other nodes see it within the maximum staleness.
      this.options.warn?.(`announcing a revocation failed: ${String(error)}`);
    }
  }
}
