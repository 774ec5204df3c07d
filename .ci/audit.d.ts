// Types of .ci/audit.js for its test (test/ci-audit.spec.ts).
export interface Advisory {
  package: string;
  severity: string;
  title: string;
  url: string;
}
export interface AuditException {
  advisory: string;
  package: string;
  reason: string;
  until: string;
}
export function blockingAdvisories(report: unknown): Advisory[];
export function judge(
  advisories: Advisory[],
  exceptions: AuditException[],
  today?: Date,
): { unexcused: Advisory[]; expired: AuditException[] };
