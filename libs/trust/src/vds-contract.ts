/** What this context uses of libs/vds: the agreed contract (its types.ts) and the certificate reference rule. */
export {
  IDENTITY_MANIFEST,
  SERVICE_MANIFEST,
  certificateReference,
  type ManifestId,
  type VdsSigner,
  type VdsTrust,
} from '#idtoken/vds';
