import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';

/*
 * The LDS Security Object, ICAO 9303 part 10 (EF.SOD):
 *
 *   id-icao-mrtd-security-ldsSecurityObject OBJECT IDENTIFIER ::= { 2.23.136.1.1.1 }
 *   LDSSecurityObject ::= SEQUENCE {
 *     version             LDSSecurityObjectVersion,          -- v0(0), or v1(1) with ldsVersionInfo
 *     hashAlgorithm       DigestAlgorithmIdentifier,
 *     dataGroupHashValues SEQUENCE SIZE (2..ub-DataGroups) OF DataGroupHash,
 *     ldsVersionInfo      LDSVersionInfo OPTIONAL }
 *   DataGroupHash ::= SEQUENCE { dataGroupNumber DataGroupNumber, dataGroupHashValue OCTET STRING }
 *   DataGroupNumber ::= INTEGER { dataGroup1(1) .. dataGroup16(16) }
 *   LDSVersionInfo ::= SEQUENCE { ldsVersion PrintableString, unicodeVersion PrintableString }
 */

export const id_icao_mrtd_security_ldsSecurityObject = '2.23.136.1.1.1';

export class DataGroupHash {
  @AsnProp({ type: AsnPropTypes.Integer })
  dataGroupNumber = 0;

  @AsnProp({ type: OctetString })
  dataGroupHashValue = new OctetString();

  constructor(params: Partial<DataGroupHash> = {}) {
    Object.assign(this, params);
  }
}

@AsnType({ type: AsnTypeTypes.Sequence, itemType: DataGroupHash })
export class DataGroupHashValues extends AsnArray<DataGroupHash> {}

export class LdsVersionInfo {
  @AsnProp({ type: AsnPropTypes.PrintableString })
  ldsVersion = '';

  @AsnProp({ type: AsnPropTypes.PrintableString })
  unicodeVersion = '';

  constructor(params: Partial<LdsVersionInfo> = {}) {
    Object.assign(this, params);
  }
}

export class LdsSecurityObject {
  @AsnProp({ type: AsnPropTypes.Integer })
  version = 0;

  @AsnProp({ type: AlgorithmIdentifier })
  hashAlgorithm = new AlgorithmIdentifier();

  @AsnProp({ type: DataGroupHashValues })
  dataGroupHashValues = new DataGroupHashValues();

  @AsnProp({ type: LdsVersionInfo, optional: true })
  ldsVersionInfo?: LdsVersionInfo;

  constructor(params: Partial<LdsSecurityObject> = {}) {
    Object.assign(this, params);
  }
}
