// Fakes for this library's tests: a clock the test moves, and key_material in memory. Not part of the public surface.
import { createPublicKey } from 'node:crypto';
import type { AuditEventInput } from '#idtoken/audit';
import { Clock } from '../clock.js';
import type { KeyMaterial } from '../key-material.store.js';
import { ES256_TOKEN_KEYS } from '../token-keys/es256.family.js';
import type { NewTokenKey, TokenKeyFamily } from '../token-keys/token-key-family.js';
import type { TokenKeyRecords } from '../token-keys/token-key.records.js';

export class TestClock extends Clock {
  constructor(private ms = Date.UTC(2030, 0, 1)) {
    super();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/**
 * One family's rows of key_material in memory: what the database adapter does, minus SQL. Families given the same
 * `rows` share one table, as they do in key_material.
 */
export class InMemoryRecords implements TokenKeyRecords {
  constructor(
    private readonly clock: Clock,
    private readonly family: Pick<TokenKeyFamily, 'purpose' | 'algorithm'> = ES256_TOKEN_KEYS,
    readonly allRows: KeyMaterial[] = [],
    readonly events: AuditEventInput[] = [],
  ) {}

  /** This family's rows, as stored (a test may change them behind the service's back). */
  get rows(): KeyMaterial[] {
    return this.allRows.filter((row) => row.purpose === this.family.purpose);
  }

  async list(): Promise<KeyMaterial[]> {
    return this.rows.map((row) => ({ ...row }));
  }

  async add(key: NewTokenKey, activatesAt: Date, options: { retirePrevious: boolean; event: AuditEventInput }) {
    const retiring = options.retirePrevious ? this.rows.filter((row) => row.retiredAt === null) : [];
    for (const row of retiring) row.retiredAt = activatesAt;
    this.allRows.push({
      purpose: this.family.purpose,
      kid: key.kid,
      algorithm: this.family.algorithm,
      publicJwk: { ...createPublicKey(key.privateKey).export({ format: 'jwk' }) },
      privateKey: key.privateKey,
      certificateDer: key.certificateDer ?? null,
      createdAt: this.clock.now(),
      activatesAt,
      retiredAt: null,
      withdrawnAt: null,
    });
    this.events.push(options.event);
    return retiring.map((row) => row.kid);
  }

  async withdraw(kid: string, at: Date, event: AuditEventInput): Promise<boolean> {
    const row = this.rows.find((candidate) => candidate.kid === kid);
    if (!row || row.withdrawnAt) return false;
    if (row.activatesAt > at && row.retiredAt) {
      const handOver = row.activatesAt.getTime();
      for (const other of this.rows) if (other.retiredAt?.getTime() === handOver) other.retiredAt = row.retiredAt;
    }
    row.withdrawnAt = at;
    row.retiredAt ??= at;
    this.events.push(event);
    return true;
  }
}
