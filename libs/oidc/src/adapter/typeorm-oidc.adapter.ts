import { errors } from 'oidc-provider';
import type { DataSource } from 'typeorm';
import { PreparedStatement, type EphemeralStore } from '#idtoken/platform';
import { EphemeralOidcModels } from './ephemeral-oidc-models.js';
import { OidcModelEntity } from './oidc-model.entity.js';

/** What oidc-provider stores and reads back for one model instance. */
export type OidcAdapterPayload = Record<string, unknown>;

/** oidc-provider's adapter contract (its docs, "adapter"); one instance per model name. */
export interface OidcAdapter {
  upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<OidcAdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<OidcAdapterPayload | undefined>;
  findByUid(uid: string): Promise<OidcAdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** What oidc-provider's `adapter` setting takes: a class it constructs with the model name. */
export type OidcAdapterClass = new (name: string) => OidcAdapter;

export interface OidcAdapterOptions {
  /** Where `Client` models come from (the service registry); without it clients are stored like any model. */
  clientFinder?: (id: string) => Promise<OidcAdapterPayload | undefined>;
  /** The clock expiry and consumption are decided on; tests move it instead of sleeping. */
  now?: () => Date;
  /** Kinds kept on the ephemeral store instead of PostgreSQL (see EphemeralOidcModels), and that store. */
  ephemeral?: { store: EphemeralStore; kinds: ReadonlySet<string> };
}

/** The kinds short-lived enough for the ephemeral store: found by id only, never consumed or revoked by grant. */
export const EPHEMERAL_OIDC_KINDS: ReadonlySet<string> = new Set(['Interaction']);

/** How long an expired row stays before `sweepExpiredOidcModels` deletes it (reads ignore it from expiry on). */
export const OIDC_SWEEP_GRACE_MS = 60 * 60 * 1000;

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A row as the written-out statements read it: the payload, and when it was consumed (epoch seconds). */
interface StoredModel {
  payload: OidcAdapterPayload;
  consumed: number | null;
}

/** oidc-provider decides "already used" from `consumed` (epoch seconds) in what `find` returns. */
function toPayload(row: StoredModel): OidcAdapterPayload {
  if (row.consumed === null) return row.payload;
  return { ...row.payload, consumed: row.consumed };
}

/*
 * The statements are written out: oidc-provider reads and writes its models some 25 times per code flow, and the
 * ORM's query building and entity mapping cost several times the round trip (bench: `npm run bench:oidc`,
 * docs/performance.md). One statement each, so none holds a transaction.
 */

// One statement, so concurrent saves of one model never race between a read and a write. A consumed row stays
// consumed: consumed_at is not overwritten.
const UPSERT = new PreparedStatement(`INSERT INTO oidc_models (kind, id, payload, grant_id, user_code, uid, expires_at)
  VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)
  ON CONFLICT (kind, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
    user_code = EXCLUDED.user_code, uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`);

// Counted in a SELECT so that PostgreSQL and PGlite answer alike (no driver-specific "affected rows").
const CONSUME = new PreparedStatement<{ used: number }>(`WITH used AS (
    UPDATE oidc_models SET consumed_at = $3 WHERE kind = $1 AND id = $2 AND consumed_at IS NULL RETURNING 1
  ) SELECT count(*)::int AS used FROM used`);

const DESTROY = new PreparedStatement('DELETE FROM oidc_models WHERE kind = $1 AND id = $2');
const REVOKE_BY_GRANT = new PreparedStatement('DELETE FROM oidc_models WHERE grant_id = $1');

const LOOKUP_COLUMNS = { id: 'id', uid: 'uid', userCode: 'user_code' } as const;
type LookupColumn = keyof typeof LOOKUP_COLUMNS;

/** The newest row of a kind by one lookup column; `$3` (now) hides expired rows when `live` is set. */
function findStatement(column: LookupColumn, live: boolean): PreparedStatement<StoredModel> {
  return new PreparedStatement(`SELECT payload, floor(extract(epoch FROM consumed_at))::float8 AS consumed FROM oidc_models
    WHERE kind = $1 AND ${LOOKUP_COLUMNS[column]} = $2${live ? ' AND (expires_at IS NULL OR expires_at > $3)' : ''}
    ORDER BY created_at DESC LIMIT 1`);
}

const FIND = {
  live: { id: findStatement('id', true), uid: findStatement('uid', true), userCode: findStatement('userCode', true) },
  any: { id: findStatement('id', false), uid: findStatement('uid', false), userCode: findStatement('userCode', false) },
};

/** oidc-provider's adapter over the `oidc_models` table, on PostgreSQL or PGlite alike. */
export function createOidcAdapter(dataSource: DataSource, options: OidcAdapterOptions = {}): OidcAdapterClass {
  const Persistent = persistentModels(dataSource, options);
  const ephemeral = options.ephemeral;
  if (!ephemeral) return Persistent;
  const { store, kinds } = ephemeral;

  /** The adapter oidc-provider instantiates per kind: the ephemeral store's for its kinds, PostgreSQL's otherwise. */
  return class OidcAdapterOfKind implements OidcAdapter {
    private readonly models: OidcAdapter;

    constructor(name: string) {
      this.models = kinds.has(name) ? new EphemeralOidcModels(name, store) : new Persistent(name);
    }

    upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void> {
      return this.models.upsert(id, payload, expiresIn);
    }
    find(id: string): Promise<OidcAdapterPayload | undefined> {
      return this.models.find(id);
    }
    findByUserCode(userCode: string): Promise<OidcAdapterPayload | undefined> {
      return this.models.findByUserCode(userCode);
    }
    findByUid(uid: string): Promise<OidcAdapterPayload | undefined> {
      return this.models.findByUid(uid);
    }
    consume(id: string): Promise<void> {
      return this.models.consume(id);
    }
    destroy(id: string): Promise<void> {
      return this.models.destroy(id);
    }
    revokeByGrantId(grantId: string): Promise<void> {
      return this.models.revokeByGrantId(grantId);
    }
  };
}

/** The models kept in the `oidc_models` table. */
function persistentModels(dataSource: DataSource, options: OidcAdapterOptions): OidcAdapterClass {
  const now = options.now ?? (() => new Date());

  return class TypeOrmOidcAdapter implements OidcAdapter {
    /**
     * Clients are the services of the registry (libs/services), not rows of `oidc_models`: `find` asks the
     * registry, and `upsert`/`destroy` do nothing, since clients are never registered through oidc-provider.
     */
    private readonly clientFinder: OidcAdapterOptions['clientFinder'];
    /** Polled kinds: oidc-provider must see their expiry to answer `expired_token` (CIBA, device flow). */
    private readonly expirySeenByProvider: boolean;

    constructor(private readonly name: string) {
      this.clientFinder = name === 'Client' ? options.clientFinder : undefined;
      this.expirySeenByProvider = EXPIRY_SEEN_BY_PROVIDER.has(name);
    }

    async upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void> {
      if (this.clientFinder) return;
      const expiresAt = typeof expiresIn === 'number' ? new Date(now().getTime() + expiresIn * 1000) : null;
      await UPSERT.run(dataSource, [
        this.name,
        id,
        JSON.stringify(payload),
        stringOrNull(payload.grantId),
        stringOrNull(payload.userCode),
        stringOrNull(payload.uid),
        expiresAt,
      ]);
    }

    async find(id: string): Promise<OidcAdapterPayload | undefined> {
      if (this.clientFinder) return this.clientFinder(id);
      return this.findLive('id', id);
    }

    async findByUid(uid: string): Promise<OidcAdapterPayload | undefined> {
      if (this.clientFinder) return undefined;
      return this.findLive('uid', uid);
    }

    async findByUserCode(userCode: string): Promise<OidcAdapterPayload | undefined> {
      if (this.clientFinder) return undefined;
      return this.findLive('userCode', userCode);
    }

    /**
     * Marks the model used, once: of two concurrent redemptions of one code or refresh token only one marks it; the
     * other gets invalid_grant here (oidc-provider had read it unconsumed a moment before).
     */
    async consume(id: string): Promise<void> {
      if (this.clientFinder) return;
      const [row] = await CONSUME.run(dataSource, [this.name, id, now()]);
      if (!row || row.used === 0) throw new errors.InvalidGrant(`${this.name} was already used`);
    }

    async destroy(id: string): Promise<void> {
      if (this.clientFinder) return;
      await DESTROY.run(dataSource, [this.name, id]);
    }

    /** Every model issued under the grant goes, whatever its kind (tokens, codes, an open interaction). */
    async revokeByGrantId(grantId: string): Promise<void> {
      await REVOKE_BY_GRANT.run(dataSource, [grantId]);
    }

    /**
     * The newest unexpired row of this kind; an expired row reads as absent until the sweep removes it — except for
     * the polled kinds, whose expiry oidc-provider must see to answer `expired_token` (CIBA, device flow).
     */
    private async findLive(column: LookupColumn, value: string): Promise<OidcAdapterPayload | undefined> {
      const rows = this.expirySeenByProvider
        ? await FIND.any[column].run(dataSource, [this.name, value])
        : await FIND.live[column].run(dataSource, [this.name, value, now()]);
      const row = rows[0];
      return row ? toPayload(row) : undefined;
    }
  };
}

/** Kinds a client polls until they end: oidc-provider tells "expired" from "unknown" by their `exp`. */
const EXPIRY_SEEN_BY_PROVIDER = new Set(['BackchannelAuthenticationRequest', 'DeviceCode']);

/** Deletes rows expired more than `graceMs` before `now`; returns how many went. */
export async function sweepExpiredOidcModels(
  dataSource: DataSource,
  now: Date,
  graceMs: number = OIDC_SWEEP_GRACE_MS,
): Promise<number> {
  const result = await dataSource
    .createQueryBuilder()
    .delete()
    .from(OidcModelEntity)
    .where('expires_at <= :cutoff', { cutoff: new Date(now.getTime() - graceMs) })
    .execute();
  return result.affected ?? 0;
}
