import type { EntityManager } from 'typeorm';
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

interface LoadedSnapshot extends RevocationSnapshot {
  loadedAt: number;
  /** Loads are numbered when they start; a higher number read the database later. */
  sequence: number;
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

export const DEFAULT_MAX_STALENESS_MS = 30_000;

/**
 * The VRL as this node sees it: cached in memory, reloaded when a node announces a change on
 * `trust:changed`, and never older than `maxStalenessMs`. A revocation made on this node is visible here
 * as soon as the call (or, inside a caller's transaction, its commit) returns.
 */
export class RevocationList {
  private snapshot: LoadedSnapshot | undefined;
  private sequence = 0;
  /** Loads numbered at or below this started before a known change: their result is out of date. */
  private invalidatedAt = 0;
  private pending: { sequence: number; promise: Promise<LoadedSnapshot> } | undefined;
  private readonly now: () => number;
  private readonly maxStalenessMs: number;

  constructor(
    private readonly records: RevocationRecords,
    private readonly changes: TrustChanges,
    private readonly options: RevocationListOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxStalenessMs = options.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS;
    changes.onChange((change) => {
      if (change !== 'revocations') return;
      this.invalidate();
      this.current().catch((error: unknown) =>
        this.options.warn?.(`reloading the revocation list failed: ${String(error)}`),
      );
    });
  }

  /** The current view, reloaded first when out of date. Rejects when the database fails. */
  async current(): Promise<RevocationSnapshot> {
    const snapshot = this.snapshot;
    if (snapshot && snapshot.sequence > this.invalidatedAt && this.now() - snapshot.loadedAt < this.maxStalenessMs) {
      return snapshot;
    }
    if (!this.pending || this.pending.sequence <= this.invalidatedAt) {
      const promise = this.reload();
      const pending = { sequence: this.sequence, promise };
      this.pending = pending;
      promise
        .finally(() => {
          if (this.pending === pending) this.pending = undefined;
        })
        .catch(() => undefined);
    }
    return this.pending.promise;
  }

  /**
   * Loads from the database. A load that started before the one currently applied is discarded on arrival,
   * so a slow, older read never hides a revocation that a newer read has already seen.
   */
  async reload(): Promise<LoadedSnapshot> {
    const sequence = ++this.sequence;
    const startedAt = this.now();
    const entries = await this.records.load();
    if (!this.snapshot || sequence > this.snapshot.sequence) {
      this.snapshot = {
        fingerprints: new Set(entries.fingerprints),
        certificateReferences: new Set(entries.certificateReferences),
        loadedAt: startedAt,
        sequence,
      };
    }
    return this.snapshot;
  }

  close(): void {
    this.records.close();
  }

  /** Marks the view out of date without querying; the next read reloads. */
  invalidate(): void {
    this.invalidatedAt = ++this.sequence;
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
