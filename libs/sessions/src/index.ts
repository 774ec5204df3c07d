// The X.1280 session context (spec §6). So far: the derivations every session uses, as pure functions.
export * from './derivation/index.js';
