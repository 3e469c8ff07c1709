import { defineConfig } from 'tsup';

// Two entries share one code base; they differ only in the runtime they install
// (src/runtime/): node:crypto in Node, pure TS + WebCrypto in browsers.
export default defineConfig({
  entry: ['src/index.ts', 'src/browser.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
