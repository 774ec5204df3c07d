import { IDENTITY_MANIFEST, SERVICE_MANIFEST } from '../vds-contract.js';
import { issueCertificate } from './issue-certificate.js';
import type { PkiCredential } from './pki-credential.js';

/** The development trust chain: anchor → CA → one signer per manifest (spec §2). */
export interface DevPki {
  anchor: PkiCredential;
  ca: PkiCredential;
  identityVdsSigner: PkiCredential;
  serviceVdsSigner: PkiCredential;
}

const SUBJECT_SUFFIX = 'O=IDToken, OU=Development only';
/** Tolerates clocks of other nodes and devices a few minutes behind ours. */
const BACKDATE_MS = 5 * 60 * 1000;

function yearsAfter(date: Date, years: number): Date {
  const later = new Date(date);
  later.setUTCFullYear(later.getUTCFullYear() + years);
  return later;
}

/**
 * A fresh development PKI: anchor (10 years), intermediate CA (5 years), identity-VDS and Service-VDS
 * signers (2 years) whose UsageLists name manifests 0x0A0001 and 0x0A0002. Never used in production.
 */
export async function generateDevPki(now: Date): Promise<DevPki> {
  const notBefore = new Date(Math.floor((now.getTime() - BACKDATE_MS) / 1000) * 1000);
  const anchor = await issueCertificate({
    role: 'anchor',
    subject: `CN=IDToken Development Trust Anchor, ${SUBJECT_SUFFIX}`,
    notBefore,
    notAfter: yearsAfter(notBefore, 15),
  });
  const ca = await issueCertificate({
    role: 'ca',
    subject: `CN=IDToken Development CA, ${SUBJECT_SUFFIX}`,
    issuer: anchor,
    notBefore,
    notAfter: yearsAfter(notBefore, 10),
  });
  const signer = (name: string, manifestId: number) =>
    issueCertificate({
      role: 'signer',
      subject: `CN=IDToken ${name} Signer, ${SUBJECT_SUFFIX}`,
      issuer: ca,
      notBefore,
      notAfter: yearsAfter(notBefore, 6),
      usageList: [manifestId],
    });
  return {
    anchor,
    ca,
    identityVdsSigner: await signer('Identity VDS', IDENTITY_MANIFEST),
    serviceVdsSigner: await signer('Service VDS', SERVICE_MANIFEST),
  };
}
