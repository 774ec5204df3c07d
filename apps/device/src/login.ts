import { io, type Socket } from 'socket.io-client';
import type { ServicePayload } from '#idtoken/vds';
import { FaceMismatchError, type Device } from './device.js';

/** A login request as the phone shows it: who asks, the code to compare, what they ask for (spec §6.3, §6.5). */
export interface LoginRequest {
  sessionId: string;
  otp: string;
  serviceId: string;
  serviceName: string;
  serviceUrl: string;
  /** The server vouched for the service (push), or the phone verified its Service VDS itself (QR). */
  serviceVerified: boolean;
  scopes: string[];
  expiresAt: string;
  /** How it reached the phone. */
  via: 'push' | 'qr';
}

/** spec §6.3: the data-only push message (every value a string). */
export interface AuthRequestMessage {
  type: 'auth_request';
  sessionId: string;
  otp: string;
  serviceId: string;
  serviceName: string;
  serviceUrl: string;
  serviceVerified: 'true' | 'false';
  scopes: string;
  expiresAt: string;
}

export function loginRequestOfPush(message: AuthRequestMessage): LoginRequest {
  return {
    sessionId: message.sessionId,
    otp: message.otp,
    serviceId: message.serviceId,
    serviceName: message.serviceName,
    serviceUrl: message.serviceUrl,
    serviceVerified: message.serviceVerified === 'true',
    scopes: JSON.parse(message.scopes) as string[],
    expiresAt: message.expiresAt,
    via: 'push',
  };
}

/** A QR that is not a claims-only session request of this protocol, or one the phone must refuse. */
export class QrRefusedError extends Error {
  override readonly name = 'QrRefusedError';
}

/** spec §6.5: `IDTK1:` + b64url(JSON {v:1, sid, srv, svc, otp, scp, exp}). */
interface ClaimsOnlyQr {
  v: number;
  sid: string;
  srv: string;
  svc: string;
  otp: string;
  scp: string[];
  exp: number;
}

/** An open `/device` socket; `close` ends it. */
export interface InboxListener {
  close(): void;
  socket: Socket;
}

/**
 * The phone's side of the login (spec §6.2, §6.3, §6.5): receiving requests, the face check, and the signed answer.
 * The signing key stays in the Device; this only asks it to sign.
 */
export class DeviceLogin {
  /** `issuer`: the server's ISSUER_URL, what a claims-only QR names as `srv` (defaults to the base URL). */
  constructor(
    private readonly device: Device,
    private readonly baseUrl: string,
    private readonly issuer: string = baseUrl.replace(/\/$/, ''),
  ) {}

  /** spec §6.3 `GET /devices/inbox` (action `inbox`, fields `{}`). */
  async inbox(): Promise<LoginRequest[]> {
    const query = new URLSearchParams(
      Object.entries(this.device.signedEnvelope('inbox', {})).map(([name, value]): [string, string] => [
        name,
        String(value),
      ]),
    );
    const answer = await this.device.client.get<{ requests: AuthRequestMessage[] }>(`/devices/inbox?${query}`);
    return answer.requests.map(loginRequestOfPush);
  }

  /**
   * spec §6.3 socket.io namespace `/device`: resolves once connected; `onRequest` gets every pending and new request.
   * Rejects with the server's refusal code (e.g. `invalid_signature`) when the handshake is refused.
   */
  listen(onRequest: (request: LoginRequest) => void): Promise<InboxListener> {
    const socket = io(`${this.baseUrl}/device`, {
      transports: ['websocket'],
      // A fresh signature on every (re)connection: each is accepted once (spec §5.1).
      auth: (send) => send(this.device.signedEnvelope('inbox', {})),
      forceNew: true,
    });
    socket.on('auth_request', (message: AuthRequestMessage) => onRequest(loginRequestOfPush(message)));
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve({ socket, close: () => socket.close() }));
      socket.once('connect_error', (error: Error) => {
        socket.close();
        reject(new Error(error.message));
      });
    });
  }

  /**
   * spec §6.5: reads a claims-only QR. Checks it is for this server and still live, and verifies the Service VDS
   * (chain, expiry, revocation) so the phone can show who asks before the user approves.
   */
  async scanQr(text: string, now: Date = new Date()): Promise<LoginRequest> {
    if (!text.startsWith('IDTK1:')) throw new QrRefusedError('not an IDToken login QR (IDTK1:)');
    let qr: ClaimsOnlyQr;
    try {
      qr = JSON.parse(Buffer.from(text.slice('IDTK1:'.length), 'base64url').toString('utf8')) as ClaimsOnlyQr;
    } catch {
      throw new QrRefusedError('the QR payload is not base64url JSON');
    }
    if (qr.v !== 1) throw new QrRefusedError(`unsupported QR version ${String(qr.v)}`);
    if (qr.srv !== this.issuer) {
      throw new QrRefusedError(`the QR is for another IDToken server (${qr.srv})`);
    }
    if (qr.exp * 1000 <= now.getTime()) throw new QrRefusedError('the QR has expired');
    const common = { sessionId: qr.sid, otp: qr.otp, scopes: qr.scp, expiresAt: new Date(qr.exp * 1000).toISOString() };
    let serviceVds = qr.svc.startsWith('VDS1:') ? qr.svc : undefined;
    if (!serviceVds) {
      // A bare serviceId keeps the QR small enough to scan from a screen: the phone fetches the service's Service VDS
      // (spec §5) and verifies it against its pinned anchor, as if the QR had carried it.
      serviceVds = await this.device.client
        .get<{ serviceVds: string }>(`/services/${encodeURIComponent(qr.svc)}/vds`)
        .then((answer) => answer.serviceVds)
        .catch(() => undefined);
    }
    if (!serviceVds) {
      // Nobody vouches for it; the phone says so.
      return { ...common, serviceId: qr.svc, serviceName: qr.svc, serviceUrl: '', serviceVerified: false, via: 'qr' };
    }
    const service: ServicePayload = await this.device.inspectService(serviceVds);
    if (!qr.svc.startsWith('VDS1:') && service.sid !== qr.svc) {
      throw new QrRefusedError(`the Service VDS fetched for ${qr.svc} names another service (${service.sid})`);
    }
    return {
      ...common,
      serviceId: service.sid,
      serviceName: service.name,
      serviceUrl: service.url,
      serviceVerified: true,
      via: 'qr',
    };
  }

  /**
   * spec §6.2: the face check on the phone, then `POST /auth/verify` signed over
   * `sessionId|otp|timestamp|grantedScopes sorted and joined with ","`. Grants all requested scopes by default.
   */
  async approve(
    request: Pick<LoginRequest, 'sessionId' | 'otp' | 'scopes'>,
    options: { liveFaceTemplate: Uint8Array; grantedScopes?: string[] },
  ): Promise<{ status: 'approved'; expiresAt: string }> {
    if (!(await this.device.faceMatches(options.liveFaceTemplate))) {
      throw new FaceMismatchError('the live face does not match the credential: nothing was signed');
    }
    return this.device.client.post('/auth/verify', this.verifyBody(request, options.grantedScopes ?? request.scopes));
  }

  /** The body of `POST /auth/verify`, signed now; exposed so tests can alter one field at a time. */
  verifyBody(request: Pick<LoginRequest, 'sessionId' | 'otp'>, grantedScopes: string[], timestamp?: number) {
    const at = timestamp ?? this.device.unixNow();
    const sorted = [...grantedScopes].sort();
    const tokenId = this.device.tokenId;
    if (!tokenId) throw new Error('this device holds no credential yet: receive a VDS first');
    return {
      sessionId: request.sessionId,
      tokenId,
      otp: request.otp,
      timestamp: at,
      grantedScopes: sorted,
      signatureBase64: this.device.signText(`${request.sessionId}|${request.otp}|${at}|${sorted.join(',')}`),
    };
  }

  /** spec §6.2 `POST /auth/deny` (action `deny`, fields `{sessionId}`). */
  deny(sessionId: string): Promise<{ status: 'rejected'; reason: 'denied' }> {
    return this.device.client.post('/auth/deny', this.device.signedRequest('deny', { sessionId }));
  }
}
