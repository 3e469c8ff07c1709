#!/usr/bin/env node
/**
 * npm run build:exe -w @medsign/agent: the agent as one executable (Node single executable
 * application, SEA), for the platform this runs on:
 *   1. esbuild bundles src/main.ts and its dependencies into one CommonJS file (SEA's main
 *      script must be CommonJS on Node 20);
 *   2. node --experimental-sea-config turns it into a preparation blob;
 *   3. postject injects the blob into a copy of this node binary (sentinel fuse below).
 * On Windows the same steps give medsign-agent.exe; see docs/agent.md for signing it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const windows = process.platform === 'win32';
const exe = join(dist, windows ? 'medsign-agent.exe' : 'medsign-agent');
const bundle = join(dist, 'medsign-agent.cjs');
const blob = join(dist, 'medsign-agent.blob');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

mkdirSync(dist, { recursive: true });
const started = Date.now();

/**
 * Optional modules that dependencies try to load in try/catch (ws's native speed-ups, debug's
 * supports-color): bundled as modules that throw, so the executable never asks the disk for them.
 */
const optionalModulesAbsent = {
  name: 'optional-modules-absent',
  setup(b) {
    b.onResolve({ filter: /^(bufferutil|utf-8-validate|supports-color)$/ }, (a) => ({ path: a.path, namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, (a) => ({ contents: `throw new Error(${JSON.stringify(`${a.path} is not bundled`)});`, loader: 'js' }));
  },
};

await build({
  entryPoints: [join(root, 'src/main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: bundle,
  // core finds its optional native addon relative to import.meta.url; in one CommonJS file that
  // is the executable itself, where the addon is absent, so core falls back to node:crypto
  banner: { js: 'const __import_meta_url = require("url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__import_meta_url' },
  plugins: [optionalModulesAbsent],
  logLevel: 'warning',
  legalComments: 'none',
});

const seaConfig = join(dist, 'sea-config.json');
writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false }));
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

rmSync(exe, { force: true });
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
const postject = require.resolve('postject/dist/cli.js');
const args = [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE];
if (process.platform === 'darwin') args.push('--macho-segment-name', 'NODE_SEA');
// postject warns about ELF note sections of Debian's node binary; harmless
execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });

const mb = (f) => (statSync(f).size / 1048576).toFixed(1);
console.log(`built ${exe} (${mb(exe)} MB; bundle ${mb(bundle)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
