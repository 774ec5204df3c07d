import { AsnArray, AsnConvert, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';
import { Extension, type X509Certificate } from '@peculiar/x509';

/** spec §2: the UsageList extension's OID (Decision: a private arc). */
export const USAGE_LIST_OID = '1.3.6.1.4.1.99999.22376.1';

const MANIFEST_ID_BYTES = 3;
const MAX_MANIFEST_ID = 0xff_ffff;

/** spec §2: `UsageList ::= SEQUENCE OF OCTET STRING (SIZE (3))`, each a big-endian manifest ID. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.OctetString })
export class UsageListAsn extends AsnArray<ArrayBuffer> {}

/** DER of a UsageList naming `manifestIds`, in the given order. */
export function encodeUsageList(manifestIds: readonly number[]): Buffer {
  const items = manifestIds.map((id) => {
    if (!Number.isInteger(id) || id < 0 || id > MAX_MANIFEST_ID) {
      throw new RangeError(`a manifest ID is 3 bytes, got ${id}`);
    }
    const bytes = Buffer.alloc(MANIFEST_ID_BYTES);
    bytes.writeUIntBE(id, 0, MANIFEST_ID_BYTES);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + MANIFEST_ID_BYTES);
  });
  return Buffer.from(AsnConvert.serialize(new UsageListAsn(items)));
}

/**
 * Manifest IDs of a DER UsageList. Refuses BER that is not the canonical DER (re-encoding must give the
 * same bytes) and items that are not exactly 3 bytes, so one list has exactly one encoding.
 */
export function decodeUsageList(der: Uint8Array): number[] {
  const list = AsnConvert.parse(der, UsageListAsn);
  const ids = Array.from(list, (item) => {
    if (item.byteLength !== MANIFEST_ID_BYTES) {
      throw new Error(`UsageList item is ${item.byteLength} bytes, not ${MANIFEST_ID_BYTES}`);
    }
    return Buffer.from(item).readUIntBE(0, MANIFEST_ID_BYTES);
  });
  if (!Buffer.from(AsnConvert.serialize(list)).equals(Buffer.from(der))) {
    throw new Error('UsageList is not DER-encoded');
  }
  return ids;
}

/**
 * The extension for a signing certificate. Non-critical (docs/decisions.md, Trust): generic X.509 validators
 * (openssl, OS stores) must refuse unknown critical extensions, while our verifiers treat a missing
 * UsageList as "lists no manifest" — marking it critical would add nothing but break standard tooling.
 */
export function usageListExtension(manifestIds: readonly number[]): Extension {
  return new Extension(USAGE_LIST_OID, false, encodeUsageList(manifestIds));
}

/** The manifests a certificate may sign; undefined when it has no UsageList. Throws when it is malformed. */
export function readUsageList(certificate: X509Certificate): number[] | undefined {
  const extension = certificate.getExtension(USAGE_LIST_OID);
  return extension ? decodeUsageList(new Uint8Array(extension.value)) : undefined;
}
