import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificatePem, issueCertificate, type DevPki, type PkiCredential } from '#idtoken/trust';

/**
 * The production trust files of `pki` written into `dir` (anchors, the CA, the two VDS signers and a trust-list
 * signer issued by the CA), and the settings that name them.
 */
export async function writeTrustFiles(
  dir: string,
  pki: DevPki,
): Promise<{ settings: Record<string, string>; anchorsFile: string; listSigner: PkiCredential }> {
  const listSigner = await issueCertificate({
    role: 'signer',
    subject: 'CN=IDToken trust list signer',
    issuer: pki.ca,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
  });
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const cert = (name: string, credential: PkiCredential) =>
    file(`${name}.pem`, certificatePem(credential.certificateDer));
  const key = (name: string, credential: PkiCredential) =>
    file(`${name}.key`, credential.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  const anchorsFile = cert('anchors', pki.anchor);
  return {
    anchorsFile,
    listSigner,
    settings: {
      TRUST_ANCHORS_FILE: anchorsFile,
      TRUST_CERTIFICATES_FILE: cert('ca', pki.ca),
      IDENTITY_VDS_SIGNER_KEY_FILE: key('identity', pki.identityVdsSigner),
      IDENTITY_VDS_SIGNER_CERT_FILE: cert('identity', pki.identityVdsSigner),
      SERVICE_VDS_SIGNER_KEY_FILE: key('service', pki.serviceVdsSigner),
      SERVICE_VDS_SIGNER_CERT_FILE: cert('service', pki.serviceVdsSigner),
      TRUST_LIST_SIGNER_KEY_FILE: key('lists', listSigner),
      TRUST_LIST_SIGNER_CERT_FILE: cert('lists', listSigner),
    },
  };
}
