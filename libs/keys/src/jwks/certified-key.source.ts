/** A signing key another context owns and certifies, published in the JWKS with its certificate chain. */
export interface CertifiedKey {
  /** Names the key's role; its kid is `<name>-<certificate reference hex>`, e.g. `service-vds-1a2b3c4d5e6f7a8b`. */
  name: string;
  /** DER certificates, the one holding the key first, then its CAs (RFC 7517 §4.7 x5c order). */
  chainDer: Buffer[];
}

/**
 * Where the JWKS learns of certified keys (spec §5: the Service-VDS key, with x5c). A port because the key lives
 * in the trust context, which itself stores keys through this one: trust → keys only, never back (no cycle).
 * The application wires the adapter (apps/idp/src/app.module.ts).
 */
export abstract class CertifiedKeySource {
  abstract certifiedKeys(): Promise<CertifiedKey[]>;
}
