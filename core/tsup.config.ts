import { defineConfig } from 'tsup';

// Two entries share one code base; they differ only in the runtime they install
// (src/runtime/): node:crypto in Node, pure TS + WebCrypto in browsers.
export default defineConfig({
  entry: { index: 'src/index.ts', browser: 'src/browser.ts', tool: 'src/tool/main.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
