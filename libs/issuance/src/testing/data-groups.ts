import { encodeTlv } from '../icao/tlv.js';

/*
 * The LDS data-group files of ICAO 9303 part 10, as a chip returns them (whole file, tag included: that is
 * what the SOD hashes).
 */

const ascii = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

/** DG1 (part 10): template 0x61 holding the MRZ as one data element 0x5F1F, lines joined. */
export function encodeDg1(mrzLines: readonly string[]): Uint8Array {
  return encodeTlv(0x61, encodeTlv(0x5f1f, ascii(mrzLines.join(''))));
}

/**
 * DG2 (part 10), minimal: one Biometric Information Template whose header names an ISO/IEC 19794-5 face
 * (format owner 0x0101, format type 0x0008) and whose data block 0x5F2E holds the photo bytes as given — not a
 * real 19794-5 record. Passive authentication only hashes DG2; a reader that decodes faces would refuse this.
 */
export function encodeDg2(photo: Uint8Array): Uint8Array {
  const header = encodeTlv(
    0xa1,
    concat(
      encodeTlv(0x80, Uint8Array.of(0x01, 0x01)), // ICAO header version 1.1
      encodeTlv(0x87, Uint8Array.of(0x01, 0x01)), // format owner: ISO/IEC JTC 1/SC 37
      encodeTlv(0x88, Uint8Array.of(0x00, 0x08)), // format type: ISO/IEC 19794-5 face image
    ),
  );
  const biometricTemplate = encodeTlv(0x7f60, concat(header, encodeTlv(0x5f2e, photo)));
  const instanceCount = encodeTlv(0x02, Uint8Array.of(0x01));
  return encodeTlv(0x75, encodeTlv(0x7f61, concat(instanceCount, biometricTemplate)));
}

/** DG15 (part 10): template 0x6F holding the Active Authentication SubjectPublicKeyInfo. */
export function encodeDg15(subjectPublicKeyInfoDer: Uint8Array): Uint8Array {
  return encodeTlv(0x6f, subjectPublicKeyInfoDer);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
