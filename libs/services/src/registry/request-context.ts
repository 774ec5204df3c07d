/** Who made a change and the request it came with, for the audit trail. */
export interface RequestContext {
  actor: string;
  requestId?: string;
  ip?: string;
}
