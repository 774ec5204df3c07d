import { HttpException } from '@nestjs/common';
import { DomainError } from './domain-error.js';
import { unavailableDependency } from './dependency-unavailable.js';
import { ERROR_STATUS, ERROR_TITLE, codeForStatus, type ErrorCode } from './error-codes.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, with the stable `code` of spec §8. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

export const problemType = (code: ErrorCode) => `https://idtoken.dev/problems/${code.replaceAll('_', '-')}`;

/** Errors Fastify raises before our code runs carry a 4xx `statusCode`: bad JSON, body too large. */
function clientErrorStatus(error: unknown): number | undefined {
  const status = error instanceof Error ? (error as { statusCode?: unknown }).statusCode : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * Turns anything thrown while serving a request into a problem document. Unknown errors become a
 * generic 500 whose detail reveals nothing; the caller logs them.
 */
export function toProblem(error: unknown): ProblemDocument {
  if (error instanceof DomainError) {
    return {
      type: problemType(error.code),
      title: ERROR_TITLE[error.code],
      ...error.extensions,
      // The members RFC 9457 defines come from the code, whatever an extension says.
      status: ERROR_STATUS[error.code],
      detail: error.detail,
      code: error.code,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const code = codeForStatus(status);
    let detail = error.message;
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const message = (response as { message: unknown }).message;
      detail = Array.isArray(message) ? message.join('; ') : String(message);
    }
    return {
      type: problemType(code),
      title: ERROR_TITLE[code],
      status,
      detail,
      code,
    };
  }
  const status = clientErrorStatus(error);
  if (status !== undefined && error instanceof Error) {
    const code = codeForStatus(status);
    return {
      type: problemType(code),
      title: ERROR_TITLE[code],
      status,
      detail: error.message,
      code,
    };
  }
  const dependency = unavailableDependency(error);
  if (dependency) {
    return {
      type: problemType('service_unavailable'),
      title: ERROR_TITLE.service_unavailable,
      status: ERROR_STATUS.service_unavailable,
      detail: `The ${dependency} is not answering; try again shortly.`,
      code: 'service_unavailable',
      retryAfter: 5,
    };
  }
  return {
    type: problemType('internal_error'),
    title: ERROR_TITLE.internal_error,
    status: 500,
    detail: 'The server could not complete the request.',
    code: 'internal_error',
  };
}
