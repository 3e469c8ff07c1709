import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One root config runs every package's tests (and the cross-package tests in test/).
export default defineConfig({
  // packages import @medsign/core's source in tests, so a core change needs no rebuild
  resolve: { alias: { '@medsign/core': fileURLToPath(new URL('./core/src/index.ts', import.meta.url)) } },
  test: {
    include: ['*/test/**/*.test.ts', 'test/**/*.test.ts', 'bindings/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
