import { createHash, sign, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import {
  IDENTITY_MANIFEST,
  SERVICE_MANIFEST,
  VdsError,
  verifyVds,
  type IdentityPayload,
  type ServicePayload,
  type VdsTrust,
} from '#idtoken/vds';
import { TemplateEqualityFaceVerifier, type FaceVerifier } from './face-verifier.js';
import type { IdTokenClient } from './idtoken-client.js';
import { describePublicKey, type DeviceState, type FileKeystore } from './keystore.js';

export type Platform = 'ios' | 'android' | 'web' | 'simulator';

export interface EnrollResult {
  enrolled: true;
  tokenId: string;
  expiresAt: string;
  trustLevel: string;
}

/** The face check failed on the phone: nothing was signed or sent. */
export class FaceMismatchError extends Error {
  override readonly name = 'FaceMismatchError';
}

export interface DeviceOptions {
  client: IdTokenClient;
  keystore: FileKeystore;
  /** Trust in identity-VDS signers, built from the server's TSL (see tsl-trust.ts). */
  trust: VdsTrust;
  faceVerifier?: FaceVerifier;
  now?: () => Date;
}

/**
 * The phone's side of PROTOCOL.md, written from the spec: it holds a VDS and a P-256 key that never leaves
 * the keystore, checks the VDS before trusting it, checks the face before signing, and signs requests.
 */
export class Device {
  readonly client: IdTokenClient;
  private readonly keystore: FileKeystore;
  private readonly trust: VdsTrust;
  private readonly faceVerifier: FaceVerifier;
  private readonly now: () => Date;
  private readonly privateKey: KeyObject;
  private state: DeviceState;
  private readonly lastTimestamps = new Map<string, number>();

  constructor(options: DeviceOptions) {
    this.client = options.client;
    this.keystore = options.keystore;
    this.trust = options.trust;
    this.faceVerifier = options.faceVerifier ?? new TemplateEqualityFaceVerifier();
    this.now = options.now ?? (() => new Date());
    ({ privateKey: this.privateKey, state: this.state } = this.keystore.open());
  }

  get deviceId(): string {
    return this.state.deviceId;
  }

  get tokenId(): string | undefined {
    return this.state.tokenId;
  }

  get publicKey(): { publicKeyPem: string; keyId: string } {
    return describePublicKey(this.privateKey);
  }

  /** Spec §2: verifies an identity VDS (signature, chain, expiry, revocation) before keeping it. */
  async receiveCredential(vdsText: string): Promise<IdentityPayload> {
    const verified = await verifyVds(vdsText, { trust: this.trust, now: this.now() });
    if (verified.decoded.manifestId !== IDENTITY_MANIFEST) {
      throw new VdsError('vds_schema', 'this is not an identity VDS (manifest 0x0A0001)');
    }
    const payload = verified.payload as IdentityPayload;
    this.state = { ...this.state, vds: vdsText, tokenId: payload.tid };
    this.keystore.save(this.state);
    return payload;
  }

  /** Spec §4: face check on the phone, then proof of possession `enroll|tokenId|keyId|timestamp`. */
  async enroll(options: {
    liveFaceTemplate: Uint8Array;
    platform?: Platform;
    fcmToken?: string;
  }): Promise<EnrollResult> {
    const { vds, payload } = await this.heldCredential();
    if (!(await this.faceVerifier.matches(payload.face, options.liveFaceTemplate))) {
      throw new FaceMismatchError('the live face does not match the credential: nothing was sent');
    }
    const result = await this.client.post<EnrollResult>('/enroll', this.enrollmentRequest(vds, payload.tid, options));
    this.state = { ...this.state, enrolledAt: this.now().toISOString() };
    this.keystore.save(this.state);
    return result;
  }

  /** The phone's face check against the held credential's portrait template (before enrolling or approving). */
  async faceMatches(liveFaceTemplate: Uint8Array): Promise<boolean> {
    const { payload } = await this.heldCredential();
    return this.faceVerifier.matches(payload.face, liveFaceTemplate);
  }

  /** The body of POST /enroll, signed now; exposed so tests can alter one field at a time. */
  enrollmentRequest(
    vds: string,
    tokenId: string,
    options: { platform?: Platform; fcmToken?: string; timestamp?: number } = {},
  ) {
    const timestamp = options.timestamp ?? this.unixNow();
    const { publicKeyPem, keyId } = this.publicKey;
    return {
      vdsData: vds,
      publicKeyPem,
      deviceId: this.state.deviceId,
      ...(options.fcmToken ? { fcmToken: options.fcmToken } : {}),
      platform: options.platform ?? 'simulator',
      timestamp,
      signatureBase64: this.signText(`enroll|${tokenId}|${keyId}|${timestamp}`),
    };
  }

  /** Spec §4: PUT /devices/push-token, device-signed (§5.1, action `push-token`). */
  updatePushToken(fcmToken: string): Promise<{ updated: true }> {
    return this.client.put('/devices/push-token', this.signedRequest('push-token', { fcmToken }));
  }

  /**
   * Spec §5: verifies a Service VDS (chain, expiry, revocation) before the phone shows it and asks the user to
   * trust the service; then `POST /devices/trust` (device-signed, action `trust`).
   */
  async inspectService(serviceVds: string): Promise<ServicePayload> {
    const verified = await verifyVds(serviceVds, {
      trust: this.trust,
      now: this.now(),
      expectedManifestId: SERVICE_MANIFEST,
    });
    return verified.payload;
  }

  async trustService(serviceVds: string): Promise<{ serviceId: string; name: string; scopes: string[] }> {
    await this.inspectService(serviceVds);
    return this.client.post('/devices/trust', this.signedRequest('trust', { serviceVds }));
  }

  /** `GET /devices/services` (action `list-services`, no other fields), signed in the query string. */
  listServices(): Promise<{ services: { serviceId: string; name: string; scopes: string[] }[] }> {
    const query = new URLSearchParams(
      Object.entries(this.signedEnvelope('list-services', {})).map(([name, value]): [string, string] => [
        name,
        String(value),
      ]),
    );
    return this.client.get(`/devices/services?${query.toString()}`);
  }

  /** `DELETE /devices/trust/{serviceId}` (action `untrust`; the path parameter is signed by name). */
  untrustService(serviceId: string): Promise<unknown> {
    return this.client.delete(
      `/devices/trust/${encodeURIComponent(serviceId)}`,
      this.signedEnvelope('untrust', { serviceId }),
    );
  }

  /** The §5.1 envelope alone, for fields that travel elsewhere (path parameters, nothing at all). */
  signedEnvelope(action: string, fields: Record<string, unknown>, timestamp = this.nextTimestamp(action)) {
    const { tokenId, signatureBase64 } = this.signedRequest(action, fields, timestamp);
    return { tokenId, timestamp, signatureBase64 };
  }

  /**
   * Spec §5.1: `{ tokenId, timestamp, signatureBase64, ...fields }` where the device signs
   * `action|tokenId|timestamp|b64url(SHA-256(canonical JSON of fields))`.
   */
  signedRequest<F extends Record<string, unknown>>(action: string, fields: F, timestamp = this.nextTimestamp(action)) {
    const tokenId = this.requireTokenId();
    const canonical = canonicalize(fields) ?? '{}';
    const digest = createHash('sha256').update(canonical, 'utf8').digest('base64url');
    return {
      ...fields,
      tokenId,
      timestamp,
      signatureBase64: this.signText(`${action}|${tokenId}|${timestamp}|${digest}`),
    };
  }

  /** ECDSA P-256 / SHA-256, ASN.1 DER (what a secure element emits), base64. */
  signText(text: string): string {
    return sign('sha256', Buffer.from(text, 'utf8'), { key: this.privateKey, dsaEncoding: 'der' }).toString('base64');
  }

  /**
   * Spec §5.1 accepts each (tokenId, timestamp, action) once: a second request of one action within the same second
   * takes the next second (still well inside the ±30 s window) rather than being refused as a replay.
   */
  private nextTimestamp(action: string): number {
    const timestamp = Math.max(this.unixNow(), (this.lastTimestamps.get(action) ?? 0) + 1);
    this.lastTimestamps.set(action, timestamp);
    return timestamp;
  }

  unixNow(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  private requireTokenId(): string {
    if (!this.state.tokenId) throw new Error('this device holds no credential yet: receive a VDS first');
    return this.state.tokenId;
  }

  private async heldCredential(): Promise<{ vds: string; payload: IdentityPayload }> {
    if (!this.state.vds) throw new Error('this device holds no credential yet: receive a VDS first');
    const verified = await verifyVds(this.state.vds, { trust: this.trust, now: this.now() });
    return { vds: this.state.vds, payload: verified.payload as IdentityPayload };
  }
}
