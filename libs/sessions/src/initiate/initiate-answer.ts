/** spec §6.1 / §6.5: the answer to `POST /auth/initiate`. */
export interface InitiateAnswer {
  sessionId: string;
  /** Absent in a claims-only session: the code travels only inside the QR (spec §6.5). */
  autoPassword?: string;
  wsToken: string;
  random: string;
  /** ISO 8601. */
  expiresAt: string;
  /** Only in a claims-only session (spec §6.5). */
  qr?: string;
}

/** A session a facade of this server starts for a client its own protocol identified (see InitiateFlow). */
export interface OnBehalfInput {
  serviceId: string;
  tokenId?: string;
  scopes: readonly string[];
  /** The browser's address: the rate limits count against it. */
  ip: string;
  /** An OIDC CIBA request waits on the session (SessionRecord.backchannel). */
  backchannel?: boolean;
}

/** What the relying party sent, already shape-checked, plus what the transport knows about it. */
export interface InitiateInput {
  tokenId?: string;
  serviceVds?: string;
  serviceId?: string;
  scopes?: string[];
  /** The raw Authorization header, if any (spec §6.1 service authentication). */
  authorization?: string;
  /** RFC 7523 client assertion, the alternative to Basic (spec §6.1). */
  clientAssertionType?: string;
  clientAssertion?: string;
  ip: string;
}
