/**
 * spec §6.3: the data-only message a device receives for each login request, on every channel (FCM data payload,
 * inbox entry, `/device` socket event). Every value is a string, as FCM data payloads require.
 */
export interface AuthRequestMessage {
  type: 'auth_request';
  sessionId: string;
  otp: string;
  serviceId: string;
  serviceName: string;
  serviceUrl: string;
  /** "true" when the relying party named itself by a verified Service VDS, "false" for a bare serviceId. */
  serviceVerified: 'true' | 'false';
  /** The session's atomic scopes as a JSON array, e.g. `["identity:family_name","identity:given_name"]`. */
  scopes: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** Where one enrollment's messages go. */
export interface PushRecipient {
  tokenId: string;
  /** The FCM registration token from `PUT /devices/push-token`, when the device registered one. */
  pushToken?: string;
}

/** What one channel did with one message; never thrown, so a push failure can never fail a session. */
export type PushOutcome =
  | { status: 'sent'; id?: string }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string; detail?: string };
