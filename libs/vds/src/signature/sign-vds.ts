import { X509Certificate, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { certificateReference } from '../codec/digests.js';
import { encodeHead, encodeVdsBinary } from '../codec/encode-binary.js';
import { packMap, unpackMap } from '../codec/messagepack.js';
import { validatePayload } from '../manifests/validate-payload.js';
import type { SignVdsInput } from '../types.js';
import { VdsError } from '../vds-error.js';
import { isP256Key, toLowS } from './p256.js';
import { signedMessage } from './signed-message.js';

/**
 * Builds and signs a VDS (spec §2) and returns its binary (`toVdsText` gives the "VDS1:" form). The payload is
 * validated as it will be read — encoded, then decoded — so an invalid one throws VdsError('vds_schema') and is
 * never signed. A key that is not P-256 or does not belong to the certificate, or a header field out of range,
 * is a configuration error and throws a plain Error.
 */
export function signVds(input: SignVdsInput): Uint8Array {
  assertKeyMatchesCertificate(input.privateKey, input.certificateDer);
  const payloadBytes = packMap(input.payload);
  checkPayloadAsEncoded(input.manifestId, payloadBytes);

  const headFields = {
    iac: input.iac,
    cin: input.cin,
    manifestId: input.manifestId,
    certificateReference: certificateReference(input.certificateDer),
    signingTime: input.signingTime,
  };
  const head = encodeHead(headFields, payloadBytes.length);
  const rawSignature = sign('sha256', signedMessage(head, payloadBytes), {
    key: input.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return encodeVdsBinary({ ...headFields, payloadBytes, signature: toLowS(rawSignature), auxData: input.auxData });
}

function checkPayloadAsEncoded(manifestId: number, payloadBytes: Uint8Array): void {
  let map: Record<string, unknown>;
  try {
    map = unpackMap(payloadBytes);
  } catch (error) {
    throw new VdsError('vds_schema', `the payload does not encode as a MessagePack map: ${String(error)}`);
  }
  validatePayload(manifestId, map);
}

function assertKeyMatchesCertificate(privateKey: KeyObject, certificateDer: Uint8Array): void {
  if (privateKey.type !== 'private' || !isP256Key(privateKey)) {
    throw new Error('a VDS is signed with a P-256 private key (spec §2)');
  }
  const certificateKey = new X509Certificate(Buffer.from(certificateDer)).publicKey;
  const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });
  if (!spki(certificateKey).equals(spki(createPublicKey(privateKey)))) {
    throw new Error('the private key does not belong to the signing certificate');
  }
}
