// The `base45` package (RFC 9285) ships no types. Its decoder is lenient; see codec/text-form.ts.
declare module 'base45' {
  const base45: {
    encode(bytes: Uint8Array | string): string;
    decode(text: string): Buffer;
  };
  export = base45;
}
