import { randomBytes } from 'node:crypto';
import { ServerError, type IdTokenClient } from './idtoken-client.js';

/** Spec §3 request body (b64 fields). */
export interface IssuanceRequest {
  dg1: string;
  dg2: string;
  sod: string;
  aa?: { dg15: string; challenge: string; signature: string };
  face: { template: string; livenessScore: number; matchScore: number };
  photoWebp: string;
}

export interface IssuedCredential {
  tokenId: string;
  vds: string;
  expiresAt: string;
}

/** What a station read from a document chip (the files, whole) and, when it has AA, the chip's signer. */
export interface ChipRead {
  dg1: Uint8Array;
  dg2: Uint8Array;
  sod: Uint8Array;
  dg15?: Uint8Array;
  /** INTERNAL AUTHENTICATE: the chip signs the station's challenge (Active Authentication). */
  signChallenge?: (challenge: Uint8Array) => Uint8Array;
}

export interface LiveFace {
  template: Uint8Array;
  livenessScore: number;
  matchScore: number;
  photoWebp: Uint8Array;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * An issuance station (spec §3): reads a chip, runs Active Authentication with a fresh challenge when the
 * chip has DG15, checks the face, and asks the server for an identity VDS with its station key.
 */
export class Station {
  constructor(private readonly client: IdTokenClient) {}

  /** Registers a station with an admin key (spec §9) and returns it with its own key. */
  static async register(
    adminClient: IdTokenClient,
    name: string,
  ): Promise<{ station: Station; stationId: string; apiKey: string }> {
    const created = await adminClient.post<{ stationId: string; apiKey: string }>('/admin/stations', { name });
    return { station: new Station(adminClient.withBearer(created.apiKey)), ...created };
  }

  /** Adds a CSCA to the server's master list (spec §9); an already-listed CSCA is fine. */
  static async registerCsca(adminClient: IdTokenClient, certificatePem: string): Promise<void> {
    try {
      await adminClient.post('/admin/trust/csca', { certificatePem });
    } catch (error) {
      if (!(error instanceof ServerError && error.status === 409)) throw error;
    }
  }

  /** A server-issued Active Authentication challenge: only those earn assurance `high`. */
  async challenge(): Promise<Uint8Array> {
    const { challenge } = await this.client.post<{ challenge: string }>('/admin/issuance/challenges', {});
    return new Uint8Array(Buffer.from(challenge, 'base64'));
  }

  /**
   * The request a station sends for this chip read and face, with Active Authentication when the chip has DG15:
   * over `challenge` (from {@link challenge}) or, without one, a challenge of the station's own.
   */
  static issuanceRequest(chip: ChipRead, face: LiveFace, challenge?: Uint8Array): IssuanceRequest {
    let aa: IssuanceRequest['aa'];
    if (chip.dg15 && chip.signChallenge) {
      challenge ??= new Uint8Array(randomBytes(8));
      aa = { dg15: b64(chip.dg15), challenge: b64(challenge), signature: b64(chip.signChallenge(challenge)) };
    }
    return {
      dg1: b64(chip.dg1),
      dg2: b64(chip.dg2),
      sod: b64(chip.sod),
      ...(aa ? { aa } : {}),
      face: { template: b64(face.template), livenessScore: face.livenessScore, matchScore: face.matchScore },
      photoWebp: b64(face.photoWebp),
    };
  }

  issue(request: IssuanceRequest): Promise<IssuedCredential> {
    return this.client.post<IssuedCredential>('/admin/issuance', request);
  }

  /** Reads nothing itself: takes the chip read, runs AA over a server challenge when the chip supports it, issues. */
  async issueFor(chip: ChipRead, face: LiveFace): Promise<IssuedCredential> {
    const challenge = chip.dg15 && chip.signChallenge ? await this.challenge() : undefined;
    return this.issue(Station.issuanceRequest(chip, face, challenge));
  }
}

/**
 * A 1×1 lossless WEBP (26 bytes, the well-known feature-detection image): a stand-in portrait for synthetic
 * documents, since the VDS `photo` must be WEBP.
 */
export const PLACEHOLDER_PORTRAIT_WEBP = new Uint8Array(
  Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'),
);
