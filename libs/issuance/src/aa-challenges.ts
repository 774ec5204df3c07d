import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EphemeralStore } from '#idtoken/platform';

/** How long a station has to put a server challenge to the chip and send the answer. */
export const AA_CHALLENGE_TTL_MS = 120_000;
const CHALLENGE_BYTES = 16;

/**
 * Server-issued Active Authentication challenges. Spec §3 lets the station choose the challenge, so the server
 * cannot tell a live chip from an answer recorded earlier. Decision: a chip answer counts as proof of a genuine,
 * present chip (assurance `high`) only when it signs a challenge this server issued to this station and that is
 * used once; a station-chosen or reused challenge is still verified but yields `substantial`.
 */
@Injectable()
export class AaChallenges {
  constructor(private readonly store: EphemeralStore) {}

  async issue(stationId: string, now = new Date()): Promise<{ challenge: Buffer; expiresAt: Date }> {
    const challenge = randomBytes(CHALLENGE_BYTES);
    await this.store.put(this.key(stationId, challenge), '1', AA_CHALLENGE_TTL_MS);
    return { challenge, expiresAt: new Date(now.getTime() + AA_CHALLENGE_TTL_MS) };
  }

  /** True once for a challenge this server issued to this station and that has not expired. */
  async consume(stationId: string, challenge: Uint8Array): Promise<boolean> {
    return (await this.store.take(this.key(stationId, challenge))) !== undefined;
  }

  private key(stationId: string, challenge: Uint8Array): string {
    return `aa-challenge:${stationId}:${Buffer.from(challenge).toString('hex')}`;
  }
}
