import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { SessionOrigins } from './session-origins.js';

/**
 * The socket.io adapter of the IdP: every engine handshake passes `allowRequest`, which refuses a browser Origin
 * that is neither the issuer's nor an active service's (spec §6.4; the `cors` option alone does not stop a
 * cross-origin WebSocket).
 */
export class OriginCheckingIoAdapter extends IoAdapter {
  private readonly origins: SessionOrigins;

  constructor(app: INestApplicationContext) {
    super(app);
    this.origins = app.get(SessionOrigins);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    return super.createIOServer(port, {
      ...options,
      allowRequest: (request, callback) => {
        const origin = request.headers.origin;
        this.origins.allowsHandshake(origin).then(
          (allowed) => callback(allowed ? null : 'origin_not_allowed', allowed),
          () => callback('origin_check_failed', false),
        );
      },
    } as ServerOptions);
  }
}
