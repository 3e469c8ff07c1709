/**
 * The three surfaces over one registry:
 *  - HTTP POST /v1/<method>: the JSON body is the params, the reply the result; errors are
 *    4xx/5xx with {code, sor, message, retryable};
 *  - WebSocket JSON-RPC 2.0 at /v1/ws, events as notifications to the calling connection;
 *  - GET /v1/openapi.json, and the status page at GET /.
 * Host, Origin and the rate limit are checked before anything else (guards.ts).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import { AGENT_VERSION, type AgentContext } from '../context.js';
import { AgentError, Errors, toAgentError } from '../errors.js';
import type { Registry } from '../registry.js';
import { OriginPolicy, RateLimiter, hostAllowed } from './guards.js';
import { statusPage } from './status-page.js';

const RPC = { parse: -32700, invalidRequest: -32600, methodNotFound: -32601, invalidParams: -32602, server: -32000 } as const;
const rpcCode = (e: AgentError) => (e.code === 'METHOD_NOT_FOUND' ? RPC.methodNotFound : e.code === 'BAD_PARAMS' ? RPC.invalidParams : e.code === 'BAD_JSON' ? RPC.parse : RPC.server);

export interface AgentServer {
  server: Server;
  /** send an event to every open WebSocket */
  broadcast(event: string, params: Record<string, unknown>): void;
  close(): Promise<void>;
}

export function createAgentServer(a: AgentContext, registry: Registry, port: () => number): AgentServer {
  const origins = new OriginPolicy(a.config.allowedOrigins);
  const limiter = new RateLimiter(a.config.requestsPerMinutePerOrigin);
  /**
   * Who calls: a browser origin, or a native client — one per application when it names itself
   * with X-MedSign-App (the C library sends its process name), so that two HIS programs on one
   * workstation keep their own sign method and see only their own pending codes.
   */
  const clientOf = (origin: string | undefined, app?: string | string[]) => {
    if (origin !== undefined) return origin.toLowerCase();
    const name = typeof app === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(app) ? app : undefined;
    return name ? `native:${name}` : 'native';
  };

  const record = (method: string, client: string, surface: 'http' | 'ws', started: number, err?: AgentError) => {
    a.recent.push({ at: new Date().toISOString(), method: method.slice(0, 64), client, surface, ok: !err, ...(err ? { code: err.code } : {}), ms: Math.round(performance.now() - started) });
    if (a.recent.length > 200) a.recent.splice(0, a.recent.length - 100);
    if (err && err.status >= 500) a.log.warn({ method, client, code: err.code }, 'call failed');
    else a.log.debug({ method, client, surface, ok: !err, code: err?.code }, 'call');
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const fail = (res: Response, e: AgentError) => res.status(e.status).json(e.toJSON());

  // guards, before any parsing or routing
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!hostAllowed(req.headers.host, port())) return fail(res, Errors.hostRejected());
    const origin = req.headers.origin;
    const refused = origins.check(origin);
    if (refused) {
      a.log.warn({ origin: String(origin).slice(0, 100), path: req.path.slice(0, 64) }, 'origin refused');
      return fail(res, refused);
    }
    if (origins.isAllowed(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      // CORS preflight, and Chrome's Private Network Access preflight (for allowed origins only)
      res.setHeader('Access-Control-Allow-Methods', 'POST, GET');
      res.setHeader('Access-Control-Allow-Headers', 'content-type');
      res.setHeader('Access-Control-Max-Age', '600');
      if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('Access-Control-Allow-Private-Network', 'true');
      return res.status(204).end();
    }
    if (!limiter.take(clientOf(origin, req.headers['x-medsign-app']))) return fail(res, Errors.rateLimited());
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  app.get('/', (_req, res) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    res.setHeader('X-Frame-Options', 'DENY');
    res.type('html').send(statusPage(a));
  });
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(registry.openApi(AGENT_VERSION));
  });

  const json = express.json({ limit: a.config.maxBodyBytes, type: () => true, strict: false });
  app.post('/v1/:method', (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('application/json')) return fail(res, Errors.unsupportedMedia());
    json(req, res, next);
  });
  app.post('/v1/:method', async (req: Request, res: Response) => {
    const started = performance.now();
    const method = String(req.params.method);
    const client = clientOf(req.headers.origin, req.headers['x-medsign-app']);
    const body: unknown = req.body;
    try {
      if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw Errors.badParams({ zh: '请求体应为 JSON 对象', en: 'the body must be a JSON object' });
      const result = await registry.call(method, body ?? {}, { client, emit: () => undefined });
      record(method, client, 'http', started);
      res.json(result);
    } catch (err) {
      const e = toAgentError(err);
      record(method, client, 'http', started, e);
      fail(res, e);
    }
  });
  app.use((_req: Request, res: Response) => fail(res, Errors.methodNotFound({ zh: '没有这个地址', en: 'no such path' })));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return fail(res, Errors.tooLarge({ zh: `上限 ${a.config.maxBodyBytes} 字节`, en: `limit ${a.config.maxBodyBytes} bytes` }));
    if (type === 'entity.parse.failed' || type === 'encoding.unsupported' || type === 'charset.unsupported' || (err as { status?: number }).status === 400) return fail(res, Errors.badJson());
    a.log.error({ err: err instanceof Error ? err.message : 'unknown' }, 'unhandled');
    fail(res, toAgentError(err));
  });

  const server = createServer(app);
  server.requestTimeout = 0; // a signing call waits for the doctor, up to the session timeout
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 65_000; // clients close idle sockets first (see cloud/src/server.ts)

  // ---- WebSocket JSON-RPC ----
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: a.config.maxBodyBytes });
  const refuse = (socket: Duplex, e: AgentError) => {
    const body = JSON.stringify(e.toJSON());
    socket.end(`HTTP/1.1 ${e.status} Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!hostAllowed(req.headers.host, port())) return refuse(socket, Errors.hostRejected());
    const origin = req.headers.origin;
    const refused = origins.check(origin);
    if (refused) {
      a.log.warn({ origin: String(origin).slice(0, 100) }, 'websocket origin refused');
      return refuse(socket, refused);
    }
    if ((req.url ?? '').split('?')[0] !== '/v1/ws') return refuse(socket, Errors.methodNotFound({ zh: '请连接 /v1/ws', en: 'connect to /v1/ws' }));
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, clientOf(origin, req.headers['x-medsign-app'])));
  });

  const send = (ws: WebSocket, msg: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };

  function onConnection(ws: WebSocket, client: string): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    const emit = (event: string, params: Record<string, unknown>) => send(ws, { jsonrpc: '2.0', method: event, params });
    ws.on('message', async (raw, isBinary) => {
      const started = performance.now();
      let msg: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
      try {
        if (isBinary) throw new Error('binary');
        msg = JSON.parse(raw.toString());
      } catch {
        return send(ws, { jsonrpc: '2.0', id: null, error: { code: RPC.parse, message: Errors.badJson().message, data: Errors.badJson().toJSON() } });
      }
      const validId = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || msg.jsonrpc !== '2.0' || typeof msg.method !== 'string' || (msg.id !== undefined && msg.id !== null && !validId(msg.id))) {
        const e = Errors.badParams({ zh: '不是 JSON-RPC 2.0 请求（需要 jsonrpc:"2.0"、method、id；不支持批量数组）', en: 'not a JSON-RPC 2.0 request (jsonrpc "2.0", method and id; arrays are not supported)' });
        return send(ws, { jsonrpc: '2.0', id: validId((msg as { id?: unknown })?.id) ? (msg as { id: unknown }).id : null, error: { code: RPC.invalidRequest, message: e.message, data: e.toJSON() } });
      }
      const id = msg.id;
      const method = msg.method;
      try {
        if (!limiter.take(client)) throw Errors.rateLimited();
        if (msg.params !== undefined && (typeof msg.params !== 'object' || msg.params === null || Array.isArray(msg.params))) throw Errors.badParams({ zh: 'params 应为对象（按名传参）', en: 'params must be an object (named parameters)' });
        const result = await registry.call(method, msg.params ?? {}, { client, emit });
        record(method, client, 'ws', started);
        if (id !== undefined && id !== null) send(ws, { jsonrpc: '2.0', id, result });
      } catch (err) {
        const e = toAgentError(err);
        record(method, client, 'ws', started, e);
        if (id !== undefined && id !== null) send(ws, { jsonrpc: '2.0', id, error: { code: rpcCode(e), message: e.message, data: e.toJSON() } });
      }
    });
  }

  return {
    server,
    broadcast: (event, params) => {
      for (const ws of sockets) send(ws, { jsonrpc: '2.0', method: event, params });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
