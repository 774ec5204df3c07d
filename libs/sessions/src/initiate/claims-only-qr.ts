/** What the QR of a claims-only session carries (spec §6.5). */
export interface ClaimsOnlyQrContent {
  sid: string;
  /** ISSUER_URL. */
  srv: string;
  /** The Service VDS or serviceId the relying party named. */
  svc: string;
  otp: string;
  scp: string[];
  /** Unix seconds. */
  exp: number;
}

/** spec §6.5: `qr = "IDTK1:" + b64url(JSON {v:1, sid, srv, svc, otp, scp, exp})`. */
export function claimsOnlyQr(content: ClaimsOnlyQrContent): string {
  const json = JSON.stringify({ v: 1, ...content });
  return `IDTK1:${Buffer.from(json, 'utf8').toString('base64url')}`;
}
