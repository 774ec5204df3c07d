import { Injectable } from '@nestjs/common';
import { AppConfig } from '#idtoken/platform';
import { ActiveServices } from '#idtoken/services';

/** The origin of a URL, or undefined when it is not one. */
export function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * spec §6.4: the Origin of every socket handshake is checked against the service's registered origin and the
 * server's own (ISSUER_URL). Two layers, because socket.io's `allowRequest` runs at the engine handshake, before the
 * namespace and its `auth` (the sessionId) are known:
 *  - `allowsHandshake` (engine, every namespace): absent Origin (not a browser), the issuer's origin, or the origin
 *    of any active service;
 *  - `allowsForService` (namespace `/session`, once the session is known): absent, the issuer's, or exactly the
 *    origin of that session's service — only the latter for a session started without service authentication
 *    (spec §6.1 `publicInitiate`: no secret vouches for the caller, so the browser's Origin must).
 */
@Injectable()
export class SessionOrigins {
  private readonly issuerOrigin: string | undefined;

  constructor(
    private readonly active: ActiveServices,
    config: AppConfig,
  ) {
    this.issuerOrigin = originOf(config.issuerUrl);
  }

  async allowsHandshake(origin: string | undefined): Promise<boolean> {
    if (origin === undefined || origin === this.issuerOrigin) return true;
    return this.active.hasOrigin(origin);
  }

  async allowsForService(
    origin: string | undefined,
    binding: { serviceId: string; browserOnly: boolean } | undefined,
  ): Promise<boolean> {
    if (binding === undefined) return origin === undefined || origin === this.issuerOrigin;
    // spec §6.1: a session started without service authentication is watched only from the service's own origin.
    if (!binding.browserOnly && (origin === undefined || origin === this.issuerOrigin)) return true;
    if (origin === undefined) return false;
    const service = await this.active.find(binding.serviceId);
    return service !== undefined && originOf(service.url) === origin;
  }
}
