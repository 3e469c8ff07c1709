// Builds the H5 app into mobile/dist/h5 (index.html + app.js): one browser bundle with core's
// browser entry (pure TS + @noble/curves + WebCrypto). Usage: node mobile/scripts/build-h5.mjs
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const H5_DIR = join(here, '..', 'dist', 'h5');

export async function buildH5() {
  mkdirSync(H5_DIR, { recursive: true });
  await build({
    entryPoints: [join(here, '..', 'src', 'h5', 'app.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outfile: join(H5_DIR, 'app.js'),
    alias: { '@medsign/core': join(here, '..', '..', 'core', 'src', 'browser.ts') },
    logLevel: 'silent',
  });
  copyFileSync(join(here, '..', 'h5', 'index.html'), join(H5_DIR, 'index.html'));
  return H5_DIR;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = await buildH5();
  console.log(`H5 app built / 已构建: ${dir}`);
}
