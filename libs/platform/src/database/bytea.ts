import type { ValueTransformer } from 'typeorm';

/**
 * `bytea` columns read back as Buffer on both engines: pg returns a Buffer, PGlite a plain Uint8Array (whose
 * toString() gives comma-separated numbers, not base64). Use as `@Column({ type: 'bytea', transformer: bytea })`.
 */
export const bytea: ValueTransformer = {
  to: (value: Uint8Array | null | undefined) => value,
  from: (value: Uint8Array | null) =>
    value === null ? null : Buffer.from(value.buffer, value.byteOffset, value.byteLength),
};
