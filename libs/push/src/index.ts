// Push to devices (spec §6.3): the PushSender port, its FCM and device-inbox adapters, and the dispatcher.
export type { AuthRequestMessage, PushOutcome, PushRecipient } from './push-message.js';
export type { PushSender } from './push-sender.js';
export { PushDispatcher, type ChannelOutcome } from './push-dispatcher.js';
export { DEVICE_INBOX_CHANNEL, InboxPushSender, type InboxDelivery } from './inbox/inbox-push.sender.js';
export { FcmPushSender } from './fcm/fcm-push.sender.js';
export { PushModule } from './push.module.js';
