import { defineConfig } from 'tsup';

// ESM + CJS with .d.ts for bundlers and Node; minified IIFEs for pages without a bundler:
// window.MedSign (client, errors, SOF facade) and window.MedSignQr (the QR login helper).
export default defineConfig([
  { entry: { index: 'src/index.ts', qr: 'src/qr.ts' }, format: ['esm', 'cjs'], dts: true, clean: true, target: 'es2020', sourcemap: true },
  { entry: { medsign: 'src/index.ts' }, format: 'iife', globalName: 'MedSign', minify: true, target: 'es2020', outExtension: () => ({ js: '.iife.js' }) },
  { entry: { 'medsign-qr': 'src/qr.ts' }, format: 'iife', globalName: 'MedSignQr', minify: true, target: 'es2020', platform: 'browser', outExtension: () => ({ js: '.iife.js' }) },
]);
