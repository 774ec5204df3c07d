import type { KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { DomainError, type EphemeralStore } from '#idtoken/platform';
import type { Clock } from '../clock.js';
import type { KeyMaterial } from '../key-material.store.js';
import { KeyChanges } from './key-changes.js';
import { currentKey, keyStatus, publishedKeys, type KeyStatus } from './key-schedule.js';
import { ES256_TOKEN_KEYS } from './es256.family.js';
import { TOKEN_KEY_CACHE_SECONDS } from './propagation.js';
import type { PublicTokenJwk } from './public-token-jwk.js';
import type { TokenKeyFamily, TokenSigningAlgorithm } from './token-key-family.js';
import type { TokenKeyRecords } from './token-key.records.js';

export interface TokenKeySettings {
  /** TOKEN_KEY_PUBLISH_AHEAD_SECONDS: a rotated-in key is published this long before it signs. */
  publishAheadSeconds: number;
  /** TOKEN_KEY_RETIRED_GRACE_SECONDS: a key stays published this long after it stops signing (≥ token lifetime). */
  retiredGraceSeconds: number;
}

/** Who rotates, for the audit trail. */
export interface RotationContext {
  actor: string;
  requestId?: string;
  ip?: string;
}

/** The key that signs now, for facades whose library signs itself. */
export interface SigningKey {
  kid: string;
  algorithm: TokenSigningAlgorithm;
  privateKey: KeyObject;
  /** DER of the key's self-signed certificate (RS256); null for ES256 keys, which have none. */
  certificateDer: Buffer | null;
}

export interface TokenKeyView {
  kid: string;
  algorithm: string;
  status: KeyStatus;
  createdAt: Date;
  activatesAt: Date;
  retiredAt: Date | null;
  /** When an admin withdrew the key (it left the JWKS then, before its grace ended). */
  withdrawnAt: Date | null;
  /** When the key leaves the JWKS: retiredAt + the retired grace, or its withdrawal if sooner. */
  unpublishedAt: Date | null;
}

export interface TokenKeyOptions {
  warn?: (message: string) => void;
}

interface Snapshot {
  keys: KeyMaterial[];
  loadedAtMs: number;
}

/**
 * The one token-signing key service (spec §7 JWT, and the OIDC and SAML facades): keys of one family in
 * key_material, rotated with publish-ahead and a retired grace, published in /.well-known/jwks.json (spec §5).
 * Injected as `TokenKeys` it holds the ES256 keys; `Rs256TokenKeys` holds the RS256 ones with the same rules.
 */
export class TokenKeys {
  private snapshot: Snapshot | undefined;
  private loading: Promise<KeyMaterial[]> | undefined;
  private generation = 0;
  private readonly changes: KeyChanges;

  constructor(
    private readonly records: TokenKeyRecords,
    store: EphemeralStore,
    private readonly clock: Clock,
    private readonly settings: TokenKeySettings,
    private readonly options: TokenKeyOptions = {},
    /** Which keys: ES256 unless a subclass says otherwise. */
    protected readonly family: TokenKeyFamily = ES256_TOKEN_KEYS,
  ) {
    // Every family listens on the same channel: any message reloads them all (rotations are rare).
    this.changes = new KeyChanges(store, () => this.invalidate(), { warn: options.warn });
  }

  /** The `alg` this instance signs with. */
  get algorithm(): TokenSigningAlgorithm {
    return this.family.algorithm;
  }

  /** At boot: a key that can sign now (created if there is none), then listen for other nodes' rotations. */
  async start(): Promise<void> {
    await this.ensureSigningKey();
    void this.changes.start();
  }

  async stop(): Promise<void> {
    await this.changes.stop();
  }

  /**
   * spec §7: a compact JWS, header `{ alg, kid, typ }` (alg: the family's), signed by the current key. `exp` is
   * required and may not lie further ahead than the retired grace: past it the key may have left the JWKS before the
   * token expires.
   */
  async signJwt(claims: JWTPayload, options: { typ?: string } = {}): Promise<string> {
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    if (typeof claims.exp !== 'number') throw new DomainError('internal_error', 'A token must carry a numeric exp');
    if (claims.exp - nowSeconds > this.settings.retiredGraceSeconds) {
      throw new DomainError(
        'internal_error',
        `A token may live at most TOKEN_KEY_RETIRED_GRACE_SECONDS (${this.settings.retiredGraceSeconds} s)`,
      );
    }
    const key = await this.signingKey();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: this.family.algorithm, kid: key.kid, typ: options.typ ?? 'JWT' })
      .sign(key.privateKey);
  }

  /** The key that signs now, for facades whose library signs itself (kid, private key, certificate if any). */
  async signingKey(): Promise<SigningKey> {
    let key = currentKey(await this.keys(), this.clock.now());
    if (!key) {
      // Perhaps another node changed the keys a moment ago: read the database once before giving up.
      this.invalidate();
      key = currentKey(await this.keys(), this.clock.now());
    }
    if (!key) throw new DomainError('service_unavailable', `No ${this.family.algorithm} token-signing key is active`);
    return {
      kid: key.kid,
      algorithm: this.family.algorithm,
      privateKey: key.privateKey,
      certificateDer: key.certificateDer,
    };
  }

  /** RFC 7517 JWK Set of the family's keys published now: next, current and previous keys. */
  async publicJwks(): Promise<{ keys: PublicTokenJwk[] }> {
    const published = publishedKeys(await this.keys(), this.clock.now(), this.graceMs());
    return { keys: published.map((key) => this.family.publicJwk(key)) };
  }

  /** Every token key with its status, newest first (admin view). */
  async list(): Promise<TokenKeyView[]> {
    const now = this.clock.now();
    const keys = await this.keys();
    const current = currentKey(keys, now);
    return keys
      .map((key) => ({
        kid: key.kid,
        algorithm: key.algorithm,
        status: keyStatus(key, current, now, this.graceMs()),
        createdAt: key.createdAt,
        activatesAt: key.activatesAt,
        retiredAt: key.retiredAt,
        withdrawnAt: key.withdrawnAt,
        unpublishedAt: unpublishedAt(key, this.graceMs()),
      }))
      .sort(
        (a, b) => b.activatesAt.getTime() - a.activatesAt.getTime() || b.createdAt.getTime() - a.createdAt.getTime(),
      );
  }

  /**
   * A new key, published at once and signing after the publish-ahead delay; every key of the family not yet
   * retired stops signing at that instant and stays published for the retired grace. Audited in the same
   * transaction. `immediate` (a compromised key): the new key signs at once — verifiers that cached the JWKS meet
   * an unknown kid and fetch it again — so the old one can be withdrawn right after.
   */
  async rotate(
    context: RotationContext,
    options: { immediate?: boolean } = {},
  ): Promise<{ kid: string; activatesAt: Date; retiring: string[] }> {
    const now = this.clock.now();
    const aheadMs = options.immediate ? 0 : this.settings.publishAheadSeconds * 1000;
    const activatesAt = new Date(now.getTime() + aheadMs);
    const key = await this.family.generate({ now, activatesAt });
    const retiring = await this.records.add(key, activatesAt, {
      retirePrevious: true,
      event: {
        type: 'keys.token_key_rotated',
        actor: context.actor,
        subject: key.kid,
        requestId: context.requestId,
        ip: context.ip,
        data: {
          algorithm: this.family.algorithm,
          activatesAt: activatesAt.toISOString(),
          immediate: options.immediate === true,
        },
      },
    });
    await this.changed();
    return { kid: key.kid, activatesAt, retiring };
  }

  /**
   * Takes a `previous` key out of the JWKS now instead of at the end of its grace: tokens it signed stop verifying
   * (a compromised or leaked key). The key that signs, and one waiting to, cannot be withdrawn — rotate first
   * (`immediate` for a compromised current key). Withdrawing a key already unpublished changes nothing.
   * Audited in the same transaction; every node drops the key when the change is announced.
   */
  async withdraw(kid: string, context: RotationContext): Promise<TokenKeyView> {
    this.invalidate();
    const view = (await this.list()).find((key) => key.kid === kid);
    if (!view) throw new DomainError('not_found', `No ${this.family.algorithm} token key has kid ${kid}`);
    // A `next` key may go once a later rotation superseded it (it has a successor): the keys due to hand over to it
    // hand over to that successor instead. Without one, nothing would sign at its activation.
    if (view.status === 'current' || (view.status === 'next' && view.retiredAt === null)) {
      throw new DomainError(
        'conflict',
        view.status === 'current'
          ? 'This key signs now: rotate first (with "immediate": true for a compromised key), then retire it'
          : 'This key is about to sign: rotate again (a new rotation supersedes it), then retire it',
      );
    }
    if (view.status === 'withdrawn' || view.status === 'retired') return view;
    const now = this.clock.now();
    const changed = await this.records.withdraw(kid, now, {
      type: 'keys.token_key_withdrawn',
      actor: context.actor,
      subject: kid,
      requestId: context.requestId,
      ip: context.ip,
      data: { algorithm: this.family.algorithm, retiredAt: view.retiredAt?.toISOString() ?? null },
    });
    if (changed) await this.changed();
    else this.invalidate();
    const withdrawn = (await this.list()).find((key) => key.kid === kid);
    if (!withdrawn) throw new DomainError('internal_error', `token key ${kid} vanished while it was withdrawn`);
    return withdrawn;
  }

  /** Forget the cached keys; the next call reads the database. */
  invalidate(): void {
    this.generation += 1;
    this.snapshot = undefined;
    this.loading = undefined;
  }

  private async ensureSigningKey(): Promise<void> {
    const now = this.clock.now();
    if (currentKey(await this.keys(), now)) return;
    // First boot (or every key retired): nothing could sign, so this key signs at once; verifiers fetch the
    // JWKS again when they meet an unknown kid. Nodes booting together may each create one: see currentKey.
    const key = await this.family.generate({ now, activatesAt: now });
    await this.records.add(key, now, {
      retirePrevious: false,
      event: {
        type: 'keys.token_key_created',
        actor: 'system',
        subject: key.kid,
        data: { algorithm: this.family.algorithm, activatesAt: now.toISOString() },
      },
    });
    await this.changed();
  }

  private async changed(): Promise<void> {
    this.invalidate();
    try {
      await this.changes.publish();
    } catch (error) {
      this.options.warn?.(
        `cannot announce the ${this.family.algorithm} token-key change (${error instanceof Error ? error.message : String(error)}); ` +
          `other nodes see it within ${TOKEN_KEY_CACHE_SECONDS} s`,
      );
    }
  }

  private async keys(): Promise<KeyMaterial[]> {
    const nowMs = this.clock.now().getTime();
    const snapshot = this.snapshot;
    if (snapshot && Math.abs(nowMs - snapshot.loadedAtMs) < TOKEN_KEY_CACHE_SECONDS * 1000) return snapshot.keys;
    if (this.loading) return this.loading;
    const generation = this.generation;
    const loading = this.records.list().then(
      (keys) => {
        // A change announced while this read was running makes its result stale: do not keep it.
        if (generation === this.generation) {
          this.snapshot = { keys, loadedAtMs: nowMs };
          this.loading = undefined;
        }
        return keys;
      },
      (error: unknown) => {
        if (generation === this.generation) this.loading = undefined;
        throw error;
      },
    );
    this.loading = loading;
    return loading;
  }

  private graceMs(): number {
    return this.settings.retiredGraceSeconds * 1000;
  }
}

function unpublishedAt(key: KeyMaterial, graceMs: number): Date | null {
  const graceEnds = key.retiredAt ? key.retiredAt.getTime() + graceMs : undefined;
  const withdrawn = key.withdrawnAt?.getTime();
  const end = Math.min(graceEnds ?? Infinity, withdrawn ?? Infinity);
  return Number.isFinite(end) ? new Date(end) : null;
}
