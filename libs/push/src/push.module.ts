import { Module } from '@nestjs/common';
import { AppConfig, EphemeralStore, MetricsRegistry } from '#idtoken/platform';
import { FcmPushSender } from './fcm/fcm-push.sender.js';
import { InboxPushSender } from './inbox/inbox-push.sender.js';
import { PushDispatcher } from './push-dispatcher.js';
import type { PushSender } from './push-sender.js';

/**
 * Push to devices (spec §6.3): the channels configured (FCM_SERVICE_ACCOUNT_FILE, DEVICE_INBOX) behind one
 * dispatcher. The inbox sender is always provided, so a device can read it even when no new request goes there.
 */
@Module({
  providers: [
    {
      provide: InboxPushSender,
      inject: [EphemeralStore],
      useFactory: (store: EphemeralStore) => new InboxPushSender(store),
    },
    {
      provide: PushDispatcher,
      inject: [AppConfig, InboxPushSender, MetricsRegistry],
      useFactory: (config: AppConfig, inbox: InboxPushSender, metrics: MetricsRegistry) => {
        const senders: PushSender[] = [];
        const { fcmServiceAccountFile, deviceInbox } = config.push;
        // Failures are logged and counted once, by the dispatcher.
        if (fcmServiceAccountFile) senders.push(new FcmPushSender({ serviceAccount: fcmServiceAccountFile }));
        if (deviceInbox) senders.push(inbox);
        return new PushDispatcher(senders, metrics);
      },
    },
  ],
  exports: [PushDispatcher, InboxPushSender],
})
export class PushModule {}
