import { Injectable } from '@nestjs/common';
import { InboxPushSender, type AuthRequestMessage } from '#idtoken/push';
import { SessionStore } from '../session.store.js';

/** spec §6.3 device inbox: the requests kept for a device whose sessions are still pending. */
@Injectable()
export class PendingRequests {
  constructor(
    private readonly inbox: InboxPushSender,
    private readonly sessions: SessionStore,
  ) {}

  async of(tokenId: string, now: Date = new Date()): Promise<AuthRequestMessage[]> {
    const kept = await this.inbox.read(tokenId, now);
    const live = await Promise.all(kept.map(async (request) => this.isPending(request)));
    return kept.filter((_, index) => live[index]);
  }

  /** A request whose session was approved, denied or revoked is no longer the device's to answer. */
  isPending(request: AuthRequestMessage): Promise<boolean> {
    return this.sessions.readSession(request.sessionId).then((session) => session !== undefined);
  }
}
