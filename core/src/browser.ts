/** Browser entry (and any runtime without node:crypto): pure TS, @noble/curves and WebCrypto. */
export * from './api.js';
