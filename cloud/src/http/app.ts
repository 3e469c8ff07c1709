/** The express application: body limits, routes, and one error mapper (no 500 for bad input). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { MedSignError } from '@medsign/core';
import { CloudError, Errors } from '../domain/errors.js';
import { buildRouter, type Services } from './routes.js';

export function buildApp(services: Services, log: Logger, corsOrigins: readonly string[] = [], h5Dir?: string, adminUiDir: string | undefined = builtAdminConsole()): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // CORS for the listed origins only (the phone's H5 app); other origins get no CORS headers
  const allowed = new Set(corsOrigins.map((o) => new URL(o).origin));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Vary', 'Origin');
      res.set('Access-Control-Allow-Headers', 'content-type, authorization, x-medsign-device, x-medsign-time, x-medsign-nonce, x-medsign-signature');
      res.set('Access-Control-Allow-Methods', 'GET, POST');
      res.set('Access-Control-Max-Age', '600');
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
    }
    next();
  });
  // the phone's H5 app, same origin as the API (so it needs no CORS): static files only
  if (h5Dir) {
    app.use('/m', (_req: Request, res: Response, next: NextFunction) => {
      res.set('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      res.set('X-Content-Type-Options', 'nosniff');
      res.set('Referrer-Policy', 'no-referrer');
      res.set('Cache-Control', 'no-cache');
      next();
    });
    app.get('/m', (req: Request, res: Response, next: NextFunction) => (req.originalUrl.split('?')[0] === '/m' ? res.redirect(301, '/m/') : next()));
    app.use('/m', express.static(h5Dir, { index: 'index.html', dotfiles: 'deny', redirect: false, fallthrough: true }));
  }
  if (adminUiDir) serveAdminConsole(app, adminUiDir);
  app.use(
    express.json({
      limit: '1mb', // a batch of 1,000 RSA-2048 signatures is ~350 KB of base64
      strict: true,
      // keep the exact bytes: device signatures cover the body as sent
      verify: (req, _res, buf) => void ((req as unknown as { rawBody: Buffer }).rawBody = buf),
    }),
  );
  // the server listens before the PKI is loaded (so that port 0 gives the URL certificates carry)
  app.use((_req: Request, _res: Response, next: NextFunction) =>
    next(services.pki && services.sessions && services.enrollment ? undefined : new CloudError('STARTING', 503, '服务正在启动，请稍后重试', 'the service is starting; retry shortly')),
  );
  app.use(buildRouter(services));
  app.use((_req: Request, _res: Response, next: NextFunction) => next(Errors.notFound({ en: 'no such endpoint', zh: '接口不存在' })));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let e: CloudError;
    if (err instanceof CloudError) e = err;
    else if (isBodyParserError(err)) {
      e = err.type === 'entity.too.large' ? Errors.tooLarge() : err.type === 'encoding.unsupported' || err.type === 'charset.unsupported' ? Errors.unsupportedMedia() : Errors.badRequest({ en: 'the body is not valid JSON', zh: '请求体不是合法的 JSON' });
    } else if (isZodError(err)) e = Errors.badRequest({ en: 'a path parameter is malformed', zh: '路径参数格式错误' });
    else if (clientStatus(err) === 400) e = Errors.badRequest({ en: 'the URL is malformed', zh: 'URL 格式错误' }); // e.g. a bad %-escape in a path
    else if (err instanceof MedSignError) e = Errors.badRequest({ en: err.en, zh: err.zh }); // core refused the input
    else {
      log.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), path: req.path }, 'unhandled error');
      e = Errors.internal();
    }
    if (e.status >= 500) log.error({ code: e.code, path: req.path }, 'request failed');
    res.status(e.status).json({ code: e.code, message: e.message });
  });
  return app;
}

function isBodyParserError(err: unknown): err is { type: string; status: number } {
  return typeof err === 'object' && err !== null && 'type' in err && typeof (err as { type: unknown }).type === 'string' && 'status' in err;
}

/** A 4xx status that express or its router attached to an error. */
function clientStatus(err: unknown): number | undefined {
  const s = typeof err === 'object' && err !== null ? ((err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode) : undefined;
  return typeof s === 'number' && s >= 400 && s < 500 ? s : undefined;
}

function isZodError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: string }).name === 'ZodError';
}

// ---- the administrator console (管理控制台) at /admin/: static files, same origin as the API ----
/** No inline script or style, no other origin: the console's JS calls this origin's API only. */
export const ADMIN_CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The console as built in the package (node cloud/admin-ui/build.mjs → cloud/admin-ui/dist), if it has been built. */
export function builtAdminConsole(): string | undefined {
  const dir = fileURLToPath(new URL('../../admin-ui/dist', import.meta.url));
  return existsSync(`${dir}/index.html`) ? dir : undefined;
}

function serveAdminConsole(app: express.Express, dir: string): void {
  app.use('/admin', (_req: Request, res: Response, next: NextFunction) => {
    res.set('Content-Security-Policy', ADMIN_CONSOLE_CSP);
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Referrer-Policy', 'no-referrer');
    res.set('X-Frame-Options', 'DENY');
    res.set('Cache-Control', 'no-cache');
    next();
  });
  app.get('/admin', (req: Request, res: Response, next: NextFunction) => (req.originalUrl.split('?')[0] === '/admin' ? res.redirect(301, '/admin/') : next()));
  app.use('/admin', express.static(dir, { index: 'index.html', dotfiles: 'deny', redirect: false, fallthrough: true }));
}
