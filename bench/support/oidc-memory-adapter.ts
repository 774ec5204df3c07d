import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';

interface Stored {
  /** The model's name (Session, AccessToken, …): `uid` and `userCode` are looked up within one kind. */
  kind: string;
  payload: AdapterPayload;
  /** ms since the epoch; undefined: no expiry. */
  expiresAt: number | undefined;
}

/** How often expired models are dropped. */
const SWEEP_EVERY_MS = 5_000;

/**
 * oidc-provider's storage in plain Maps, for the bare instance: one store per provider (not module-wide), secondary
 * indexes for `uid`, `userCode` and `grantId`, expiry checked on read and swept every few seconds so a long run does
 * not grow without bound. `close` stops the sweep.
 */
export function createMemoryAdapter(): { Adapter: AdapterConstructor; close(): void } {
  const models = new Map<string, Stored>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const byGrant = new Map<string, Set<string>>();

  const forget = (key: string) => {
    const stored = models.get(key);
    if (!stored) return;
    models.delete(key);
    const { uid, userCode, grantId } = stored.payload;
    if (uid && byUid.get(`${stored.kind}:${uid}`) === key) byUid.delete(`${stored.kind}:${uid}`);
    if (userCode && byUserCode.get(`${stored.kind}:${userCode}`) === key) {
      byUserCode.delete(`${stored.kind}:${userCode}`);
    }
    if (grantId) {
      const members = byGrant.get(grantId);
      members?.delete(key);
      if (members?.size === 0) byGrant.delete(grantId);
    }
  };
  const live = (key: string | undefined): AdapterPayload | undefined => {
    if (key === undefined) return undefined;
    const stored = models.get(key);
    if (!stored) return undefined;
    if (stored.expiresAt !== undefined && stored.expiresAt <= Date.now()) {
      forget(key);
      return undefined;
    }
    return stored.payload;
  };
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [key, stored] of models) if (stored.expiresAt !== undefined && stored.expiresAt <= now) forget(key);
  }, SWEEP_EVERY_MS);
  sweeper.unref();

  class MemoryAdapter implements Adapter {
    constructor(private readonly name: string) {}

    private key(id: string): string {
      return `${this.name}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const key = this.key(id);
      forget(key);
      const expiresAt = expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000;
      models.set(key, { kind: this.name, payload, expiresAt });
      if (payload.uid) byUid.set(this.key(payload.uid), key);
      if (payload.userCode) byUserCode.set(this.key(payload.userCode), key);
      if (payload.grantId) {
        const members = byGrant.get(payload.grantId) ?? new Set<string>();
        members.add(key);
        byGrant.set(payload.grantId, members);
      }
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return live(this.key(id));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return live(byUid.get(this.key(uid)));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return live(byUserCode.get(this.key(userCode)));
    }

    /** oidc-provider reads "already used" from `consumed` (epoch seconds). */
    async consume(id: string): Promise<void> {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      forget(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of [...(byGrant.get(grantId) ?? [])]) forget(key);
    }
  }

  return { Adapter: MemoryAdapter, close: () => clearInterval(sweeper) };
}
