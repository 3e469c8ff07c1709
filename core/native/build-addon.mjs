// Builds core/native/build/sm2_ec.node with the system C compiler (gcc or cc).
// Optional: without it the Node runtime falls back to node:crypto ECDH (slower, same results).
// Usage: node core/native/build-addon.mjs [--required]
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const required = process.argv.includes('--required');
const out = join(here, 'build', 'sm2_ec.node');
try {
  const headers = dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json'));
  mkdirSync(join(here, 'build'), { recursive: true });
  const cc = process.env.CC || 'gcc';
  // OpenSSL symbols stay undefined here and bind to those exported by the node binary at load time.
  execFileSync(cc, ['-O2', '-std=c11', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-DNAPI_VERSION=8',
    '-I', join(headers, 'include'), join(here, 'sm2_ec.c'), '-o', out], { stdio: 'inherit' });
  createRequire(import.meta.url)(out); // loads and resolves every symbol, or throws
  console.log(`sm2_ec addon built / 已编译 SM2 加速模块: ${out}`);
} catch (err) {
  console.warn(`sm2_ec addon not built (${err.message.split('\n')[0]}); SM2 co-signing uses node:crypto ECDH instead.`);
  console.warn('未编译 SM2 加速模块，将使用 node:crypto ECDH（较慢，结果相同）。');
  if (required) process.exit(1);
}
