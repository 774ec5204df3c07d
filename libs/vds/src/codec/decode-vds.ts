import { types } from 'node:util';
import type { DecodedVds } from '../types.js';
import { VdsError } from '../vds-error.js';
import { decodeVdsBinary } from './decode-binary.js';
import { binaryFromText } from './text-form.js';

/**
 * spec §2 step 1: a VDS from its text form ("VDS1:…", hex or b64) or its binary. Whatever the input, it throws
 * nothing but VdsError('vds_malformed') — received credentials are untrusted input.
 */
export function decodeVds(input: string | Uint8Array): DecodedVds {
  try {
    if (typeof input === 'string') return decodeVdsBinary(binaryFromText(input));
    if (types.isUint8Array(input)) return decodeVdsBinary(input);
  } catch (error) {
    if (error instanceof VdsError) throw error;
    throw new VdsError('vds_malformed', `undecodable input: ${String(error)}`, { cause: error });
  }
  throw new VdsError('vds_malformed', 'input must be a string or a Uint8Array');
}
