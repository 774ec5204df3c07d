import * as xmllint from '@authenio/samlify-node-xmllint';

/**
 * samlify's schema validator: @authenio/samlify-node-xmllint (libxml2's xmllint compiled to asm.js, with the SAML 2.0
 * XSDs). Each call instantiates a fresh emscripten module, which adds a `process.on('uncaughtException')` listener
 * that is never removed and prints xmllint's output with `console.log`: in a server that is a listener (and memory)
 * leak per SAML request and noise in the log. The call is synchronous, so this wrapper removes the listeners it
 * added and mutes the console for exactly its duration; the verdict is unchanged.
 */
export const samlSchemaValidator = {
  validate(xml: string): Promise<string> {
    const before = new Set(process.listeners('uncaughtException'));
    const { log, error, warn } = console;
    let verdict: Promise<string>;
    console.log = console.error = console.warn = () => undefined;
    try {
      verdict = xmllint.validate(xml) as Promise<string>;
    } finally {
      console.log = log;
      console.error = error;
      console.warn = warn;
      for (const listener of process.listeners('uncaughtException')) {
        if (!before.has(listener)) process.removeListener('uncaughtException', listener);
      }
    }
    return verdict;
  },
};
