export { AuditEventEntity } from './audit-event.entity.js';
export { AuditTrail, type AuditEvent, type AuditEventInput, type AuditFilter } from './audit-trail.js';
export { AuditModule } from './audit.module.js';
