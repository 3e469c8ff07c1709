// Builds the administrator console (管理控制台) into cloud/admin-ui/dist: index.html, app.css and
// one app.js bundle (the console's TypeScript and the qrcode encoder). The cloud serves that
// directory at /admin/. Usage: node cloud/admin-ui/build.mjs
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const ADMIN_UI_DIR = join(here, 'dist');

export async function buildAdminUi() {
  mkdirSync(ADMIN_UI_DIR, { recursive: true });
  await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outfile: join(ADMIN_UI_DIR, 'app.js'),
    logLevel: 'silent',
  });
  for (const f of ['index.html', 'app.css']) copyFileSync(join(here, f), join(ADMIN_UI_DIR, f));
  return ADMIN_UI_DIR;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = await buildAdminUi();
  console.log(`管理控制台已构建 (admin console built): ${dir}`);
}
