import { createHash } from 'node:crypto';
import { id_sha256, id_sha384, id_sha512 } from '@peculiar/asn1-rsa';
import type { AlgorithmIdentifier } from '@peculiar/asn1-x509';

/**
 * The digests passive authentication accepts. ICAO 9303 part 12 also allows SHA-1 and SHA-224; we refuse them
 * (SHA-1 is broken for signatures, SHA-224 is unused by issuers), so such a document fails
 * `unsupported_hash_algorithm`.
 */
export type HashAlgorithmName = 'SHA-256' | 'SHA-384' | 'SHA-512';

export const HASH_ALGORITHM_OIDS: Readonly<Record<HashAlgorithmName, string>> = {
  'SHA-256': id_sha256,
  'SHA-384': id_sha384,
  'SHA-512': id_sha512,
};

const NODE_HASH_NAMES: Readonly<Record<HashAlgorithmName, string>> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** DER of NULL: RFC 5754 §2 lets SHA-2 AlgorithmIdentifiers carry absent or NULL parameters. */
const DER_NULL = [0x05, 0x00];

function hashAlgorithmByOid(oid: string): HashAlgorithmName | undefined {
  return (Object.keys(HASH_ALGORITHM_OIDS) as HashAlgorithmName[]).find((name) => HASH_ALGORITHM_OIDS[name] === oid);
}

/** The digest named by an AlgorithmIdentifier, or undefined when it is not one we accept. */
export function hashAlgorithmOf(identifier: AlgorithmIdentifier): HashAlgorithmName | undefined {
  const parameters = identifier.parameters;
  if (parameters) {
    const bytes = new Uint8Array(parameters);
    if (bytes.length !== 2 || bytes[0] !== DER_NULL[0] || bytes[1] !== DER_NULL[1]) return undefined;
  }
  return hashAlgorithmByOid(identifier.algorithm);
}

export function nodeHashName(name: HashAlgorithmName): string {
  return NODE_HASH_NAMES[name];
}

export function digest(name: HashAlgorithmName, ...parts: Uint8Array[]): Buffer {
  const hash = createHash(NODE_HASH_NAMES[name]);
  for (const part of parts) hash.update(part);
  return hash.digest();
}
