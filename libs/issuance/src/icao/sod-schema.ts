import {
  Attribute,
  CertificateSet,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContentInfo,
  RevocationInfoChoices,
  SignatureAlgorithmIdentifier,
  SignerIdentifier,
} from '@peculiar/asn1-cms';
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';

/*
 * RFC 5652 SignedData as @peculiar/asn1-cms declares it, with one difference: the signed attributes are kept as
 * the exact bytes received. RFC 5652 §5.4 signs "the DER encoding of the SignedAttributes" with a SET tag; taking
 * the bytes as received (and swapping [0] for SET) checks what the Document Signer signed rather than our
 * re-encoding of it. asn1-cms keeps no raw bytes for a repeated field, hence a SET class here.
 */

/** `SignedAttributes ::= SET SIZE (1..MAX) OF Attribute` */
@AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })
export class SodSignedAttributes extends AsnArray<Attribute> {}

export class SodSignerInfo {
  @AsnProp({ type: AsnPropTypes.Integer })
  version = 0;

  @AsnProp({ type: SignerIdentifier })
  sid = new SignerIdentifier();

  @AsnProp({ type: DigestAlgorithmIdentifier })
  digestAlgorithm = new DigestAlgorithmIdentifier();

  @AsnProp({ type: SodSignedAttributes, context: 0, implicit: true, optional: true, raw: true })
  signedAttrs?: SodSignedAttributes;

  /** Filled by the parser (`raw: true`): the `[0] IMPLICIT` element as received, tag included. */
  signedAttrsRaw?: ArrayBuffer;

  @AsnProp({ type: SignatureAlgorithmIdentifier })
  signatureAlgorithm = new SignatureAlgorithmIdentifier();

  @AsnProp({ type: OctetString })
  signature = new OctetString();

  @AsnProp({ type: Attribute, repeated: 'set', context: 1, implicit: true, optional: true })
  unsignedAttrs?: Attribute[];
}

@AsnType({ type: AsnTypeTypes.Set, itemType: SodSignerInfo })
export class SodSignerInfos extends AsnArray<SodSignerInfo> {}

export class SodSignedData {
  @AsnProp({ type: AsnPropTypes.Integer })
  version = 0;

  @AsnProp({ type: DigestAlgorithmIdentifiers })
  digestAlgorithms = new DigestAlgorithmIdentifiers();

  @AsnProp({ type: EncapsulatedContentInfo })
  encapContentInfo = new EncapsulatedContentInfo();

  @AsnProp({ type: CertificateSet, context: 0, implicit: true, optional: true })
  certificates?: CertificateSet;

  @AsnProp({ type: RevocationInfoChoices, context: 1, implicit: true, optional: true })
  crls?: RevocationInfoChoices;

  @AsnProp({ type: SodSignerInfos })
  signerInfos = new SodSignerInfos();
}
