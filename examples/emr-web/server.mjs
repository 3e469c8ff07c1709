/**
 * A tiny static server for the EMR example page (node:http, no dependencies):
 *   /            examples/emr-web/ (index.html, app.js, style.css)
 *   /sdk/        sdk-js/dist/ (medsign.iife.js, medsign-qr.iife.js; build it with
 *                `npm run build -w @medsign/sdk`)
 *   /config.js   window.EMR_CONFIG = { agentPorts: [agentPort] }
 * GET and HEAD only; no directory listings, no dot files, no path traversal; every answer is
 * `Cache-Control: no-store` with a strict Content-Security-Policy that lets the page talk to the
 * agent on loopback and nowhere else.
 *
 * Run it: node examples/emr-web/server.mjs [port] [agentPort]   (defaults 17980, 17990)
 * The agent must allow the page's origin: --allowed-origin http://127.0.0.1:17980
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const PAGE_DIR = fileURLToPath(new URL('.', import.meta.url));
const SDK_DIR = fileURLToPath(new URL('../../sdk-js/dist/', import.meta.url));

/** What may be served, by extension (anything else, server.mjs and README.md included, is 404). */
const PAGE_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};
const SDK_TYPES = { '.js': 'text/javascript; charset=utf-8' };

/**
 * The file under `root` that `rel` (already URL-decoded, '/'-separated) names, or undefined when
 * it is not a plain safe path: no empty, '.'/'..' or hidden segments, no backslash or NUL, and
 * the resolved path stays under root.
 */
function safeFile(root, rel, types) {
  const parts = rel.split('/');
  if (parts.some((p) => p === '' || p.startsWith('.') || p.includes('\\') || p.includes('\0'))) return undefined;
  const file = resolve(root, ...parts);
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  const type = types[extname(file).toLowerCase()];
  return type ? { file, type } : undefined;
}

/**
 * Start the server. `port` 0 picks a free port. Resolves with its URL (the page's origin, which
 * the agent must allow) and close().
 * @param {{ port?: number, host?: string, agentPort?: number | number[] }} [options]
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startEmrServer({ port = 17980, host = '127.0.0.1', agentPort = 17990 } = {}) {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port: ${port}`);
  const agentPorts = (Array.isArray(agentPort) ? agentPort : [agentPort]).map(Number);
  if (!agentPorts.length || agentPorts.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw new Error(`bad agent port: ${agentPort}`);
  const configJs = `window.EMR_CONFIG = ${JSON.stringify({ agentPorts })};\n`;
  const agentSources = agentPorts.flatMap((p) => [`ws://127.0.0.1:${p}`, `http://127.0.0.1:${p}`]).join(' ');
  const headers = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${agentSources}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  };

  const server = createServer(async (req, res) => {
    const send = (status, type, body) => {
      res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const text = (status, message) => send(status, 'text/plain; charset=utf-8', `${message}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return text(405, '405 只支持 GET (GET only)');
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return text(400, '400 地址无效 (bad path)');
    }
    if (path === '/config.js') return send(200, PAGE_TYPES['.js'], configJs);
    let target;
    if (path === '/' || path === '/index.html') target = safeFile(PAGE_DIR, 'index.html', PAGE_TYPES);
    else if (path.startsWith('/sdk/')) target = safeFile(SDK_DIR, path.slice('/sdk/'.length), SDK_TYPES);
    else target = safeFile(PAGE_DIR, path.slice(1), PAGE_TYPES);
    if (!target) return text(404, '404 没有这个文件 (not found)');
    try {
      send(200, target.type, await readFile(target.file));
    } catch {
      text(404, path.startsWith('/sdk/') ? '404 没有 SDK 文件：请先运行 npm run build -w @medsign/sdk (not found: build the SDK first)' : '404 没有这个文件 (not found)');
    }
  });

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const actual = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
  return {
    url,
    port: actual,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

// node examples/emr-web/server.mjs [port] [agentPort]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.EMR_PORT ?? 17980);
  const agentPort = Number(process.argv[3] ?? process.env.MEDSIGN_AGENT_PORT ?? 17990);
  startEmrServer({ port, agentPort }).then(
    ({ url }) => {
      console.log(`电子病历示例 EMR example: ${url}/  (agent port ${agentPort}; the agent must allow --allowed-origin ${url})`);
    },
    (err) => {
      console.error(err.code === 'EADDRINUSE' ? `端口 ${port} 已被占用 (port ${port} is in use)` : err.message);
      process.exit(1);
    },
  );
}
