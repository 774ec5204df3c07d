import type { DataSource, EntityManager } from 'typeorm';
import { PreparedStatement } from '#idtoken/platform';
import { AuditEventEntity } from './audit-event.entity.js';

const INSERT_EVENT = new PreparedStatement<{ id: string | number | bigint }>(
  'INSERT INTO audit_events (type, actor, subject, request_id, ip, data) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id',
);

export interface AuditEventInput {
  /** Dotted event name, e.g. `system.master_secret_generated`, `enrollment.revoked`. */
  type: string;
  actor?: string;
  subject?: string;
  requestId?: string;
  ip?: string;
  data?: Record<string, unknown>;
}

export interface AuditEvent {
  id: string;
  occurredAt: Date;
  type: string;
  actor: string | null;
  subject: string | null;
  requestId: string | null;
  ip: string | null;
  data: Record<string, unknown>;
}

/**
 * Writes and reads the audit trail. `record` takes the caller's EntityManager when the event belongs to
 * a transaction, so the event and the change it describes commit together.
 */
export class AuditTrail {
  constructor(private readonly dataSource: DataSource) {}

  async record(event: AuditEventInput, manager: EntityManager = this.dataSource.manager): Promise<string> {
    // One prepared statement: on every login's path (the consent receipt), and the ORM's insert costs several times
    // the round trip. Atomic on its own (no BEGIN/COMMIT around it); joins the caller's transaction if any.
    const rows = await INSERT_EVENT.run(
      this.dataSource,
      [
        event.type,
        event.actor ?? null,
        event.subject ?? null,
        event.requestId ?? null,
        event.ip ?? null,
        JSON.stringify(event.data ?? {}),
      ],
      manager,
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('audit_events INSERT returned no id');
    return String(id);
  }

  /**
   * Newest first; `before` is the id of the last event of the previous page. `type` matches exactly, or as a prefix
   * when it ends with `.*` (`saml.*`); `since`/`until` bound `occurred_at` (inclusive, exclusive).
   */
  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const query = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('e').orderBy('e.id', 'DESC');
    if (filter.type?.endsWith('.*')) {
      const prefix = filter.type.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`);
      query.andWhere(`e.type LIKE :prefix ESCAPE '\\'`, { prefix: `${prefix}%` });
    } else if (filter.type) query.andWhere('e.type = :type', { type: filter.type });
    if (filter.subject) query.andWhere('e.subject = :subject', { subject: filter.subject });
    if (filter.actor) query.andWhere('e.actor = :actor', { actor: filter.actor });
    if (filter.since) query.andWhere('e.occurred_at >= :since', { since: filter.since });
    if (filter.until) query.andWhere('e.occurred_at < :until', { until: filter.until });
    if (filter.before) query.andWhere('e.id < :before', { before: filter.before });
    const rows = await query.limit(Math.min(filter.limit ?? 100, 1000)).getMany();
    return rows.map((row) => ({ ...row, id: String(row.id) }));
  }

  /** Every matching event, newest first, read a page at a time (an export never holds the whole trail). */
  async *each(filter: Omit<AuditFilter, 'before' | 'limit'> = {}): AsyncGenerator<AuditEvent> {
    let before: string | undefined;
    for (;;) {
      const page = await this.list({ ...filter, before, limit: 1000 });
      yield* page;
      const last = page.at(-1);
      if (page.length < 1000 || !last) return;
      before = last.id;
    }
  }
}

export interface AuditFilter {
  type?: string;
  subject?: string;
  actor?: string;
  since?: Date;
  until?: Date;
  before?: string;
  limit?: number;
}
