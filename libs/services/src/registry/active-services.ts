import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { EphemeralStore, HeldSubscription, ReloadingSnapshot } from '#idtoken/platform';
import { ServiceEntity } from './service.entity.js';

/** The ephemeral-store channel on which a node announces that it changed a service (REDIS_PREFIX applies). */
export const SERVICES_CHANGED_CHANNEL = 'services:changed';

interface Directory {
  byId: ReadonlyMap<string, Readonly<ServiceEntity>>;
  /** The `url` of every active service: stored exactly as an origin (libs/services validates it). */
  origins: ReadonlySet<string>;
  /** Those of the `publicInitiate` services: browser-only relying parties, whose pages call the session API. */
  browserOrigins: ReadonlySet<string>;
}

/**
 * Shared between requests: a caller that tried to change one would change everyone's view, so none can (its lists
 * and JSON settings too; the sealed secret's bytes are a Buffer, which cannot be frozen and nothing writes).
 */
function frozen(service: ServiceEntity): Readonly<ServiceEntity> {
  for (const value of Object.values(service)) {
    if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) Object.freeze(value);
  }
  return Object.freeze(service);
}

/**
 * The active services, read on every login (service authentication, the service itself, the browser socket's Origin)
 * and changed only by an admin: kept in memory on each node (docs/decisions.md "Active services in memory"). A change
 * made through the registry is visible on the node that made it when the call returns, and on the other nodes as soon
 * as they receive the `services:changed` message (milliseconds); a lost message (store down) is bounded by the
 * snapshot's 30 s maximum age, and a node whose subscription recovers reloads at once.
 */
@Injectable()
export class ActiveServices implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ActiveServices.name);
  private readonly snapshot: ReloadingSnapshot<Directory>;
  private readonly changes: HeldSubscription;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EphemeralStore,
  ) {
    this.snapshot = new ReloadingSnapshot(() => this.load());
    const invalidate = () => this.snapshot.invalidate();
    this.changes = new HeldSubscription(store, SERVICES_CHANGED_CHANNEL, invalidate, {
      onRetry: (channel) => this.logger.warn(`${channel} subscription failed; retrying`),
      onRecovered: invalidate,
    });
  }

  /** Subscribes in the background: boot does not wait on the store. */
  onModuleInit(): void {
    void this.changes.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.changes.stop();
  }

  /**
   * The service when it is active, or `undefined` (unknown or disabled). From memory; one the memory lacks is looked
   * up in the database — a service created on another node a moment ago — and found active, makes the next read
   * load the services again.
   */
  async find(serviceId: string): Promise<Readonly<ServiceEntity> | undefined> {
    const known = (await this.snapshot.current()).byId.get(serviceId);
    if (known) return known;
    const stored = await this.repository().findOne({ where: { serviceId, disabledAt: IsNull() } });
    if (stored) this.snapshot.invalidate();
    return stored ?? undefined;
  }

  /** Whether `origin` is the origin of an active service (the database answers when the memory does not know it). */
  async hasOrigin(origin: string): Promise<boolean> {
    if ((await this.snapshot.current()).origins.has(origin)) return true;
    // A service's `url` is stored exactly as an origin (libs/services validates it): one equality probe answers.
    const stored = await this.repository().exists({ where: { url: origin, disabledAt: IsNull() } });
    if (stored) this.snapshot.invalidate();
    return stored;
  }

  /**
   * Whether `origin` is the origin of an active `publicInitiate` service (spec §6.1: a browser-only relying party
   * calls initiate from its own pages). From memory only: this answers CORS requests from any page on the Internet,
   * and a service created a moment ago on another node is known here within milliseconds.
   */
  async hasBrowserOrigin(origin: string): Promise<boolean> {
    return (await this.snapshot.current()).browserOrigins.has(origin);
  }

  /** After a change to a service has committed: visible here at once, then announced to the other nodes. */
  async changed(): Promise<void> {
    this.snapshot.invalidate();
    try {
      await this.store.publish(SERVICES_CHANGED_CHANNEL, 'changed');
    } catch (error) {
      // Committed and visible here; other nodes see it within the snapshot's maximum age.
      this.logger.warn(`announcing a service change failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private repository() {
    return this.dataSource.getRepository(ServiceEntity);
  }

  private async load(): Promise<Directory> {
    const services = await this.repository().find({ where: { disabledAt: IsNull() } });
    return {
      byId: new Map(services.map((service) => [service.serviceId, frozen(service)])),
      origins: new Set(services.map((service) => service.url)),
      browserOrigins: new Set(services.filter((service) => service.publicInitiate).map((service) => service.url)),
    };
  }
}
