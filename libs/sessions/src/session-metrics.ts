import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from '#idtoken/platform';

export type LoginOutcome = 'approved' | 'denied' | 'too_many_attempts' | 'revoked' | 'expired';

/** Prometheus figures of the login (docs/operations.md lists them). Never labelled by tokenId or sessionId. */
@Injectable()
export class SessionMetrics {
  readonly started: Counter<'mode'>;
  readonly ended: Counter<'outcome'>;
  readonly verifyDuration: Histogram<'result'>;
  readonly sockets: Gauge<'namespace'>;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.started = new Counter({
      name: 'idtoken_sessions_started_total',
      help: 'Login sessions opened by POST /auth/initiate, by mode (direct: with a tokenId; claims_only: QR)',
      labelNames: ['mode'],
      registers,
    });
    this.ended = new Counter({
      name: 'idtoken_logins_total',
      help: 'Login sessions ended, by outcome (approved, denied, too_many_attempts, revoked, expired)',
      labelNames: ['outcome'],
      registers,
    });
    this.verifyDuration = new Histogram({
      name: 'idtoken_verify_duration_seconds',
      help: 'POST /auth/verify handling time, by result (approved, or the refusal code)',
      labelNames: ['result'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.sockets = new Gauge({
      name: 'idtoken_socket_connections',
      help: 'Open socket.io connections on this node, by namespace (session: browsers, device: phones)',
      labelNames: ['namespace'],
      registers,
    });
  }
}
