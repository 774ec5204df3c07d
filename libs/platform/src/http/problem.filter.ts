import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../errors/problem.js';

/** The REST transport's one error mapper: everything leaves as RFC 9457 problem+json (spec §8). */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendProblem(error, request, reply);
  }
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const problem = toProblem(error);
  if (problem.status >= 500) {
    request.log.error({ err: error }, 'request failed');
  }
  if (reply.sent) return;
  if (typeof problem.retryAfter === 'number') void reply.header('retry-after', String(problem.retryAfter));
  void reply
    .status(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header('cache-control', 'no-store')
    .send({
      ...problem,
      instance: request.url.split('?')[0],
      requestId: request.id,
    });
}
