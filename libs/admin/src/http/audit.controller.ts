import { Readable } from 'node:stream';
import { Controller, Get, Query, Res, applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AuditTrail, type AuditEvent, type AuditFilter } from '#idtoken/audit';
import { parseRequest } from '#idtoken/platform';
import { AdminAuth } from './admin-auth.guard.js';

const Filters = {
  type: z
    .string()
    .max(200)
    .regex(/^[a-z0-9_.]+(\.\*)?$/, 'must be an event type, or a prefix ending in .* (e.g. saml.*)')
    .optional(),
  subject: z.string().max(200).optional(),
  actor: z.string().max(200).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
};
const ListQuery = z
  .object({
    ...Filters,
    cursor: z
      .string()
      .regex(/^[1-9]\d{0,18}$/, 'must be the nextCursor of the previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
const ExportQuery = z.object(Filters).strict();

class AuditEventResponse {
  @ApiProperty({ example: '1042' })
  id: string;
  @ApiProperty({ format: 'date-time' })
  occurredAt: string;
  @ApiProperty({ example: 'enrollment.revoked' })
  type: string;
  @ApiProperty({ nullable: true, type: String, example: 'admin-key:7c1…' })
  actor: string | null;
  @ApiProperty({ nullable: true, type: String })
  subject: string | null;
  @ApiProperty({ nullable: true, type: String })
  requestId: string | null;
  @ApiProperty({ nullable: true, type: String })
  ip: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true })
  data: Record<string, unknown>;
}

class AuditEventPage {
  @ApiProperty({ type: [AuditEventResponse] })
  events: AuditEventResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next (older) page' })
  nextCursor: string | null;
}

const FILTER_DOCS = [
  { name: 'type', description: 'An event type, or a prefix ending in `.*` (`saml.*`)' },
  { name: 'subject', description: 'The subject (tokenId, serviceId, stationId, key id…)' },
  { name: 'actor', description: 'Who acted (`admin-key:…`, `service:…`, `device:…`)' },
  { name: 'since', description: 'RFC 3339 time, inclusive' },
  { name: 'until', description: 'RFC 3339 time, exclusive' },
];

/** The filters both routes take, in the OpenAPI document. */
const AuditFilterQueries = () => applyDecorators(...FILTER_DOCS.map((doc) => ApiQuery({ ...doc, required: false })));

/**
 * The audit trail, read-only (rows are never changed: the database refuses UPDATE, DELETE and TRUNCATE): a page
 * API with filters and a cursor, and the same filters exported as JSON lines. Admins and operators.
 */
@ApiTags('admin')
@Controller('admin/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditTrail) {}

  @Get()
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'A page of audit events, newest first' })
  @AuditFilterQueries()
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } })
  @ApiOkResponse({ type: AuditEventPage })
  async list(@Query() query: unknown): Promise<AuditEventPage> {
    const { cursor, limit, ...filters } = parseRequest(ListQuery, query, 'query');
    const events = await this.audit.list({ ...toFilter(filters), before: cursor, limit });
    return {
      events: events.map(view),
      nextCursor: events.length === limit ? (events.at(-1)?.id ?? null) : null,
    };
  }

  @Get('export')
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Every matching audit event as JSON lines (application/x-ndjson), newest first' })
  @AuditFilterQueries()
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'One JSON object per line, as in the page API', schema: { type: 'string' } })
  async export(@Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const filters = toFilter(parseRequest(ExportQuery, query, 'query'));
    const audit = this.audit;
    async function* lines() {
      for await (const event of audit.each(filters)) yield `${JSON.stringify(view(event))}\n`;
    }
    await reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', 'attachment; filename="audit-events.jsonl"')
      .header('cache-control', 'no-store')
      .send(Readable.from(lines()));
  }
}

function toFilter(query: {
  type?: string;
  subject?: string;
  actor?: string;
  since?: string;
  until?: string;
}): AuditFilter {
  return {
    type: query.type,
    subject: query.subject,
    actor: query.actor,
    since: query.since ? new Date(query.since) : undefined,
    until: query.until ? new Date(query.until) : undefined,
  };
}

function view(event: AuditEvent): AuditEventResponse {
  return { ...event, occurredAt: event.occurredAt.toISOString() };
}
