import type { RevocationRecords } from '../revocation/revocation-list.js';
import type { RevocationEntry, RevocationInput, RevokedEntries } from '../revocation/revocation.repository.js';

/** The VRL tables in memory, for unit tests: what RevocationRepository does, without a database. */
export class InMemoryRevocations implements RevocationRecords {
  readonly fingerprints = new Map<string, RevocationInput>();
  readonly certificates = new Map<string, RevocationInput>();
  /** Set to hold `load` until the test releases it (to interleave loads). */
  gate: Promise<void> | undefined;
  loads = 0;

  async load(): Promise<RevokedEntries> {
    this.loads++;
    const entries = {
      fingerprints: [...this.fingerprints.keys()],
      certificateReferences: [...this.certificates.keys()],
    };
    await this.gate;
    return entries;
  }

  async entries(only?: string): Promise<{ fingerprints: RevocationEntry[]; certificateReferences: RevocationEntry[] }> {
    const entry = ([value, input]: [string, RevocationInput]): RevocationEntry => ({
      value,
      reason: input.reason,
      revokedBy: input.actor,
      revokedAt: new Date(0),
    });
    return {
      fingerprints: [...this.fingerprints].filter(([value]) => only === undefined || value === only).map(entry),
      certificateReferences: [...this.certificates]
        .filter(([value]) => only === undefined || value === only)
        .map(entry),
    };
  }

  async revokeFingerprint(fingerprint: string, input: RevocationInput): Promise<boolean> {
    if (this.fingerprints.has(fingerprint)) return false;
    this.fingerprints.set(fingerprint, input);
    return true;
  }

  async revokeCertificate(reference: string, input: RevocationInput): Promise<boolean> {
    if (this.certificates.has(reference)) return false;
    this.certificates.set(reference, input);
    return true;
  }

  close(): void {}

  /** No transactions here: the work runs at once. */
  afterCommit(_manager: unknown, work: () => void): void {
    work();
  }
}
