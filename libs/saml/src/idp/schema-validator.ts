type Xmllint = typeof import('@authenio/samlify-node-xmllint');

/** Loaded at the first SAML message, not at boot: its asm.js takes a quarter of a second to load (bench:cold-start). */
let loading: Promise<Xmllint> | undefined;
const loadXmllint = () => (loading ??= import('@authenio/samlify-node-xmllint'));

/**
 * samlify's schema validator: @authenio/samlify-node-xmllint (libxml2's xmllint compiled to asm.js, with the SAML 2.0
 * XSDs). Each call instantiates a fresh emscripten module, which adds a `process.on('uncaughtException')` listener
 * that is never removed and prints xmllint's output with `console.log`: in a server that is a listener (and memory)
 * leak per SAML request and noise in the log. The call is synchronous, so this wrapper removes the listeners it
 * added and mutes the console for exactly its duration; the verdict is unchanged.
 */
export const samlSchemaValidator = {
  async validate(xml: string): Promise<string> {
    const xmllint = await loadXmllint();
    const before = new Set(process.listeners('uncaughtException'));
    const { log, error, warn } = console;
    let verdict: Promise<unknown>;
    console.log = console.error = console.warn = () => undefined;
    try {
      verdict = xmllint.validate(xml);
    } finally {
      console.log = log;
      console.error = error;
      console.warn = warn;
      for (const listener of process.listeners('uncaughtException')) {
        if (!before.has(listener)) process.removeListener('uncaughtException', listener);
      }
    }
    return (await verdict) as string;
  },
};
