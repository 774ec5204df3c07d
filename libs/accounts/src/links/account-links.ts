import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { AuditTrail } from '#idtoken/audit';
import { DomainError, isUniqueViolation } from '#idtoken/platform';
import { ServiceRegistry } from '#idtoken/services';
import { aliasField, readAccountLinkRows, writeAccountLinkRows, type RowError } from '../csv/account-link-rows.js';
import {
  aliasesOf,
  attributesOf,
  sameAttributes,
  tokenIdSchema,
  type AccountAttributes,
} from './account-attributes.js';
import { AccountLinkEntity } from './account-link.entity.js';
import { accountLinkView } from './account-link-view.js';

/** Who made a change and the request it came with, for the audit trail. */
export interface ChangeContext {
  actor: string;
  requestId?: string;
  ip?: string;
}

export interface AccountLinkPage {
  links: AccountLinkEntity[];
  /** The tokenId to pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface ImportResult {
  created: number;
  updated: number;
  /** Rows that matched what was stored: nothing written, nothing audited. */
  unchanged: number;
}

export const MAX_PAGE_SIZE = 500;
/** An import lists at most this many errors (the detail says how many there were). */
export const MAX_REPORTED_ERRORS = 100;

/**
 * Account links (per-service enterprise attributes of a tokenId) for the OIDC and SAML facades, which need what a
 * passport does not carry. Every change commits with its audit event (before/after). Email and username are aliases
 * a facade may resolve to a tokenId, so within a service each belongs to one tokenId only, regardless of case and of
 * the column it is in.
 */
@Injectable()
export class AccountLinks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly services: ServiceRegistry,
    private readonly audit: AuditTrail,
  ) {}

  /** The link, or undefined; `404 not_found` for an unknown service, `400` for a tokenId that is not a UUID. */
  async get(serviceId: string, tokenId: string): Promise<AccountLinkEntity | undefined> {
    const id = requireTokenId(tokenId);
    await this.services.get(serviceId);
    const link = await this.dataSource.getRepository(AccountLinkEntity).findOne({ where: { serviceId, tokenId: id } });
    return link ?? undefined;
  }

  /**
   * Creates the link or replaces all its attributes (the service must be active). An alias held by another tokenId
   * of the service is `409 conflict`. A replacement that changes nothing writes nothing.
   */
  async put(
    serviceId: string,
    tokenId: string,
    attributes: AccountAttributes,
    context: ChangeContext,
  ): Promise<{ link: AccountLinkEntity; created: boolean }> {
    const id = requireTokenId(tokenId);
    try {
      return await this.dataSource.transaction(async (manager) => {
        await this.services.getActive(serviceId, manager);
        const repository = manager.getRepository(AccountLinkEntity);
        const existing = await repository.findOne({
          where: { serviceId, tokenId: id },
          lock: { mode: 'pessimistic_write' },
        });
        if (existing && sameAttributes(existing, attributes)) return { link: existing, created: false };
        await this.refuseAliasesOfOthers(serviceId, id, attributes, manager);
        const before = existing ? accountLinkView(existing) : undefined;
        const stored = await this.write(serviceId, id, attributes, existing ?? undefined, manager);
        const type = existing ? 'account_link.updated' : 'account_link.created';
        await this.record(type, stored, context, manager, { before, after: accountLinkView(stored) });
        return { link: stored, created: !existing };
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw concurrentChange();
      }
      throw error;
    }
  }

  /** Removes the link (`404 not_found` when there is none). */
  async delete(serviceId: string, tokenId: string, context: ChangeContext): Promise<AccountLinkEntity> {
    const id = requireTokenId(tokenId);
    return this.dataSource.transaction(async (manager) => {
      await this.services.get(serviceId, manager);
      const repository = manager.getRepository(AccountLinkEntity);
      const link = await repository.findOne({ where: { serviceId, tokenId: id }, lock: { mode: 'pessimistic_write' } });
      if (!link) throw new DomainError('not_found', `No account link for this tokenId in service "${serviceId}"`);
      await repository.delete({ serviceId, tokenId: id });
      await this.record('account_link.deleted', link, context, manager, { before: accountLinkView(link) });
      return link;
    });
  }

  /** A page of the service's links by tokenId (keyset: `cursor` is the last tokenId of the previous page). */
  async list(serviceId: string, page: { cursor?: string; limit: number }): Promise<AccountLinkPage> {
    const cursor = page.cursor === undefined ? undefined : requireTokenId(page.cursor);
    const limit = Math.max(1, Math.min(page.limit, MAX_PAGE_SIZE));
    await this.services.get(serviceId);
    const query = this.dataSource
      .getRepository(AccountLinkEntity)
      .createQueryBuilder('link')
      .where('link.serviceId = :serviceId', { serviceId })
      .orderBy('link.tokenId', 'ASC')
      .limit(limit + 1);
    if (cursor) query.andWhere('link.tokenId > :cursor', { cursor });
    const links = await query.getMany();
    const hasMore = links.length > limit;
    if (hasMore) links.length = limit;
    return { links, nextCursor: hasMore ? (links.at(-1)?.tokenId ?? null) : null };
  }

  /**
   * The tokenId whose email or username is `alias` in this service, regardless of case; undefined when none (or, should
   * two links ever share it, when the answer would be ambiguous).
   */
  async findTokenIdByAlias(serviceId: string, alias: string): Promise<string | undefined> {
    const value = alias.trim();
    if (value === '') return undefined;
    const rows: { tokenId: string }[] = await this.dataSource
      .getRepository(AccountLinkEntity)
      .createQueryBuilder('link')
      .select('link.tokenId', 'tokenId')
      .where('link.serviceId = :serviceId', { serviceId })
      .andWhere('(lower(link.email) = lower(:value) OR lower(link.username) = lower(:value))', { value })
      .limit(2)
      .getRawMany();
    const [only, another] = rows;
    return another ? undefined : only?.tokenId;
  }

  /**
   * Creates or replaces the links of a CSV file (columns: ACCOUNT_LINK_CSV_COLUMNS), all or nothing: any invalid row
   * and nothing is stored — `422 invalid_rows` with `errors: [{ line, field, detail }]`. An alias may move between
   * tokenIds of the file (the result is what counts), but not onto one held by a tokenId the file leaves alone.
   */
  async importCsv(serviceId: string, csvText: string, context: ChangeContext): Promise<ImportResult> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await this.services.getActive(serviceId, manager);
        const { rows, errors } = readAccountLinkRows(csvText);
        const repository = manager.getRepository(AccountLinkEntity);
        const stored = new Map(
          (await repository.find({ where: { serviceId }, lock: { mode: 'pessimistic_write' } })).map((link) => [
            link.tokenId,
            link,
          ]),
        );
        errors.push(...aliasesHeldByOthers(rows, stored));
        if (errors.length > 0) throw invalidImport(errors);

        const result: ImportResult = { created: 0, updated: 0, unchanged: 0 };
        const changed = rows.filter((row) => {
          const existing = stored.get(row.tokenId);
          if (existing && sameAttributes(existing, row.attributes)) {
            result.unchanged += 1;
            return false;
          }
          return true;
        });
        // Aliases may move between these rows: clear theirs first, or the unique indexes would see them twice.
        const replaced = changed.filter((row) => stored.has(row.tokenId)).map((row) => row.tokenId);
        if (replaced.length > 0) {
          await repository.update({ serviceId, tokenId: In(replaced) }, { email: null, username: null });
        }
        for (const row of changed) {
          const existing = stored.get(row.tokenId);
          const before = existing ? accountLinkView(existing) : undefined;
          const link = await this.write(serviceId, row.tokenId, row.attributes, existing, manager);
          result[existing ? 'updated' : 'created'] += 1;
          const type = existing ? 'account_link.updated' : 'account_link.created';
          await this.record(type, link, context, manager, { before, after: accountLinkView(link) });
        }
        await this.audit.record(
          { ...audited(context), type: 'account_link.imported', subject: serviceId, data: { serviceId, ...result } },
          manager,
        );
        return result;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw concurrentChange();
      }
      throw error;
    }
  }

  /** Every link of the service as CSV, by tokenId: the format importCsv reads. */
  async exportCsv(serviceId: string): Promise<string> {
    await this.services.get(serviceId);
    const links = await this.dataSource
      .getRepository(AccountLinkEntity)
      .find({ where: { serviceId }, order: { tokenId: 'ASC' } });
    return writeAccountLinkRows(links);
  }

  /** Aliases are unambiguous per service: none of these may be another tokenId's email or username (409). */
  private async refuseAliasesOfOthers(
    serviceId: string,
    tokenId: string,
    attributes: AccountAttributes,
    manager: EntityManager,
  ): Promise<void> {
    const aliases = aliasesOf(attributes);
    if (aliases.length === 0) return;
    const holder = await manager
      .getRepository(AccountLinkEntity)
      .createQueryBuilder('link')
      .where('link.serviceId = :serviceId AND link.tokenId <> :tokenId', { serviceId, tokenId })
      .andWhere('(lower(link.email) IN (:...aliases) OR lower(link.username) IN (:...aliases))', { aliases })
      .getOne();
    if (!holder) return;
    const taken = aliasesOf(holder).find((alias) => aliases.includes(alias));
    const field = taken === undefined ? 'email' : aliasField(attributes, taken);
    throw new DomainError(
      'conflict',
      `The ${field} is already the email or username of tokenId ${holder.tokenId} in this service`,
      { field, tokenId: holder.tokenId },
    );
  }

  /** Inserts the link, or overwrites every attribute of the stored one; answers what is now stored. */
  private async write(
    serviceId: string,
    tokenId: string,
    attributes: AccountAttributes,
    existing: AccountLinkEntity | undefined,
    manager: EntityManager,
  ): Promise<AccountLinkEntity> {
    const repository = manager.getRepository(AccountLinkEntity);
    const now = new Date();
    const values = { ...attributesOf(attributes), updatedAt: now };
    if (existing) {
      await repository.update({ serviceId, tokenId }, values);
    } else {
      await repository.insert({ serviceId, tokenId, ...values, createdAt: now });
    }
    return repository.create({ serviceId, tokenId, ...values, createdAt: existing?.createdAt ?? now });
  }

  private record(
    type: string,
    link: AccountLinkEntity,
    context: ChangeContext,
    manager: EntityManager,
    data: Record<string, unknown>,
  ): Promise<string> {
    return this.audit.record(
      { ...audited(context), type, subject: link.tokenId, data: { serviceId: link.serviceId, ...data } },
      manager,
    );
  }
}

/** A unique index refused a write another transaction made first. */
function concurrentChange(): DomainError {
  return new DomainError('conflict', "Another request changed this service's account links at the same time");
}

function audited(context: ChangeContext) {
  return { actor: context.actor, requestId: context.requestId, ip: context.ip };
}

/** `400 invalid_request` unless a UUID; the database spells it in lower case. */
function requireTokenId(tokenId: string): string {
  const parsed = tokenIdSchema.safeParse(tokenId);
  if (!parsed.success) throw new DomainError('invalid_request', 'tokenId must be a UUID', { field: 'tokenId' });
  return parsed.data;
}

/** Rows whose alias is held by a stored link the file does not replace. */
function aliasesHeldByOthers(
  rows: readonly { line: number; tokenId: string; attributes: AccountAttributes }[],
  stored: ReadonlyMap<string, AccountLinkEntity>,
): RowError[] {
  const inFile = new Set(rows.map((row) => row.tokenId));
  const holders = new Map<string, string>();
  for (const link of stored.values()) {
    if (!inFile.has(link.tokenId)) for (const alias of aliasesOf(link)) holders.set(alias, link.tokenId);
  }
  return rows.flatMap((row) =>
    aliasesOf(row.attributes)
      .filter((alias) => holders.has(alias))
      .map((alias) => ({
        line: row.line,
        field: aliasField(row.attributes, alias),
        detail: `is already the email or username of tokenId ${holders.get(alias)} in this service`,
      })),
  );
}

/** `422 invalid_rows`: the file was well-formed but its content cannot be stored; every bad row is named. */
function invalidImport(errors: RowError[]): DomainError {
  const sorted = [...errors].sort((a, b) => a.line - b.line);
  const count = sorted.length;
  return new DomainError('invalid_rows', `The CSV has ${count} error${count === 1 ? '' : 's'}; nothing was stored`, {
    errors: sorted.slice(0, MAX_REPORTED_ERRORS),
  });
}
