import { calculateJwkThumbprint, type JWK } from 'jose';
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '#idtoken/platform';
import type { ServicePublicKey } from './service.entity.js';

/**
 * Keys a service signs its RFC 7523 client assertions with (spec §6.1), as public JWKs: EC P-256 / P-384,
 * RSA of at least 2048 bits, or Ed25519. Private members are refused outright, so a pasted private key is never
 * stored. `kid` defaults to the RFC 7638 thumbprint.
 */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function keyProblem(jwk: Record<string, unknown>): string | undefined {
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) return 'must be a public key (it has private members)';
  let key;
  try {
    key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  } catch {
    return 'is not a valid JWK';
  }
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      return details.namedCurve === 'prime256v1' || details.namedCurve === 'secp384r1'
        ? undefined
        : 'EC keys must be on P-256 or P-384';
    case 'rsa':
      return (details.modulusLength ?? 0) >= 2048 ? undefined : 'RSA keys must have at least 2048 bits';
    case 'ed25519':
      return undefined;
    default:
      return 'must be an EC (P-256, P-384), RSA or Ed25519 key';
  }
}

export const publicKeysField = z
  .array(
    z.record(z.string(), z.unknown()).superRefine((jwk, ctx) => {
      const problem = keyProblem(jwk);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
      if ('kid' in jwk && (typeof jwk.kid !== 'string' || jwk.kid.length === 0 || jwk.kid.length > 128)) {
        ctx.addIssue({ code: 'custom', message: 'kid must be a string of 1 to 128 characters' });
      }
    }),
  )
  .max(10);

/** Stored form: each key with its kid, given or the thumbprint; two keys with one kid are refused. */
export async function toServicePublicKeys(jwks: readonly Record<string, unknown>[]): Promise<ServicePublicKey[]> {
  const keys = await Promise.all(
    jwks.map(async (jwk) => {
      const { kid, ...members } = jwk;
      const publicJwk = members as JWK;
      return { kid: typeof kid === 'string' ? kid : await calculateJwkThumbprint(publicJwk), jwk: publicJwk };
    }),
  );
  if (new Set(keys.map((key) => key.kid)).size !== keys.length) {
    throw new DomainError('invalid_request', 'Two publicKeys share a kid (or are the same key)', {
      field: 'publicKeys',
    });
  }
  return keys;
}
