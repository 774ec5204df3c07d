import { errors } from 'oidc-provider';
import type { DataSource, QueryDeepPartialEntity, Repository } from 'typeorm';
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
}

/** How long an expired row stays before `sweepExpiredOidcModels` deletes it (reads ignore it from expiry on). */
export const OIDC_SWEEP_GRACE_MS = 60 * 60 * 1000;

type LookupColumn = 'id' | 'uid' | 'userCode';

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** oidc-provider decides "already used" from `consumed` (epoch seconds) in what `find` returns. */
function toPayload(row: OidcModelEntity): OidcAdapterPayload {
  if (!row.consumedAt) return row.payload;
  return { ...row.payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) };
}

/** oidc-provider's adapter over the `oidc_models` table, on PostgreSQL or PGlite alike. */
export function createOidcAdapter(dataSource: DataSource, options: OidcAdapterOptions = {}): OidcAdapterClass {
  const now = options.now ?? (() => new Date());
  const repository: Repository<OidcModelEntity> = dataSource.getRepository(OidcModelEntity);

  return class TypeOrmOidcAdapter implements OidcAdapter {
    /**
     * Clients are the services of the registry (libs/services), not rows of `oidc_models`: `find` asks the
     * registry, and `upsert`/`destroy` do nothing, since clients are never registered through oidc-provider.
     */
    private readonly clientFinder: OidcAdapterOptions['clientFinder'];

    constructor(private readonly name: string) {
      this.clientFinder = name === 'Client' ? options.clientFinder : undefined;
    }

    async upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void> {
      if (this.clientFinder) return;
      const expiresAt = typeof expiresIn === 'number' ? new Date(now().getTime() + expiresIn * 1000) : null;
      // One statement, so concurrent saves of one model never race between a read and a write. A consumed
      // row stays consumed: consumed_at is not overwritten.
      await repository
        .createQueryBuilder()
        .insert()
        .values({
          kind: this.name,
          id,
          // TypeORM's deep-partial type has no room for a free-form jsonb object; the payload is stored as given.
          payload: payload as QueryDeepPartialEntity<OidcModelEntity>['payload'],
          grantId: stringOrNull(payload.grantId),
          userCode: stringOrNull(payload.userCode),
          uid: stringOrNull(payload.uid),
          expiresAt,
        })
        .orUpdate(['payload', 'grant_id', 'user_code', 'uid', 'expires_at'], ['kind', 'id'])
        .updateEntity(false)
        .execute();
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
      const result = await repository
        .createQueryBuilder()
        .update()
        .set({ consumedAt: now() })
        .where('kind = :kind AND id = :id AND consumed_at IS NULL', { kind: this.name, id })
        .execute();
      if (result.affected === 0) throw new errors.InvalidGrant(`${this.name} was already used`);
    }

    async destroy(id: string): Promise<void> {
      if (this.clientFinder) return;
      await repository.delete({ kind: this.name, id });
    }

    /** Every model issued under the grant goes, whatever its kind (tokens, codes, an open interaction). */
    async revokeByGrantId(grantId: string): Promise<void> {
      await repository.delete({ grantId });
    }

    /**
     * The newest unexpired row of this kind; an expired row reads as absent until the sweep removes it — except for
     * the polled kinds, whose expiry oidc-provider must see to answer `expired_token` (CIBA, device flow).
     */
    private async findLive(column: LookupColumn, value: string): Promise<OidcAdapterPayload | undefined> {
      const query = repository
        .createQueryBuilder('model')
        .where('model.kind = :kind', { kind: this.name })
        .andWhere(`model.${column} = :value`, { value });
      if (!EXPIRY_SEEN_BY_PROVIDER.has(this.name)) {
        query.andWhere('(model.expiresAt IS NULL OR model.expiresAt > :now)', { now: now() });
      }
      const row = await query.orderBy('model.createdAt', 'DESC').limit(1).getOne();
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
