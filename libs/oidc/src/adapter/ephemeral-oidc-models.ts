import type { EphemeralStore } from '#idtoken/platform';
import type { OidcAdapter, OidcAdapterPayload } from './typeorm-oidc.adapter.js';

/**
 * oidc-provider models kept on the ephemeral store (Redis across nodes, in-process otherwise) rather than in
 * PostgreSQL: kinds that live minutes, are found only by id, are never consumed and never revoked by grant.
 * `Interaction` is the one such kind (10 minutes; about ten reads and writes per sign-in, docs/performance.md).
 * The store's own expiry ends them; a server restart without Redis ends an open sign-in, which starts again.
 */
export class EphemeralOidcModels implements OidcAdapter {
  constructor(
    private readonly name: string,
    private readonly store: EphemeralStore,
  ) {}

  private key(id: string): string {
    return `oidc:${this.name}:${id}`;
  }

  async upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void> {
    if (typeof expiresIn !== 'number')
      throw new Error(`${this.name} needs a lifetime to be kept on the ephemeral store`);
    // Saved with no time left: it has expired already.
    if (expiresIn <= 0) return void (await this.store.delete(this.key(id)));
    await this.store.put(this.key(id), JSON.stringify(payload), expiresIn * 1000);
  }

  async find(id: string): Promise<OidcAdapterPayload | undefined> {
    const stored = await this.store.get(this.key(id));
    return stored === undefined ? undefined : (JSON.parse(stored) as OidcAdapterPayload);
  }

  /** Only sessions are found by uid and device codes by user code; neither is kept here. */
  findByUid(): Promise<OidcAdapterPayload | undefined> {
    return Promise.resolve(undefined);
  }

  findByUserCode(): Promise<OidcAdapterPayload | undefined> {
    return Promise.resolve(undefined);
  }

  consume(): Promise<void> {
    return Promise.reject(new Error(`${this.name} is never consumed`));
  }

  async destroy(id: string): Promise<void> {
    await this.store.delete(this.key(id));
  }

  /** oidc-provider revokes by grant only the token and code kinds, which stay in PostgreSQL. */
  async revokeByGrantId(): Promise<void> {}
}
