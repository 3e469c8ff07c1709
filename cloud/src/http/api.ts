/**
 * The route registry: every JSON endpoint is declared once with its zod schemas, which
 * drive request validation and the OpenAPI 3.1 document (/api/v1/openapi.json).
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { Errors } from '../domain/errors.js';
import type { AdminRecord, AdminRole } from '../store/repositories.js';

export interface JsonRoute<B extends z.ZodType, R extends z.ZodType> {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  /** 'admin': bearer token of an administrator; 'device': a request signed by an enrolled phone */
  auth: 'none' | 'admin' | 'device' | 'agent';
  /**
   * For auth 'admin': the roles allowed besides sysadmin (who may do everything). Without it,
   * a GET is open to every administrator (the auditor reads) and anything else to sysadmin and
   * ra_officer. Department scopes are checked by the handler (ctx.admin).
   */
  roles?: AdminRole[];
  body?: B;
  response: R;
  handler: (ctx: { body: z.infer<B>; params: Record<string, string>; req: Request; deviceId: string; agentId: string; admin: AdminRecord | undefined }) => Promise<z.infer<R>> | z.infer<R>;
}

export interface RawRoute {
  method: 'get' | 'post';
  path: string;
  summary: string;
  requestType?: string;
  responseType: string;
}

export type AnyJsonRoute = JsonRoute<z.ZodType, z.ZodType>;

export interface RouteTable {
  json: AnyJsonRoute[];
  raw: RawRoute[];
}

/** Typed helper: checks the handler against the schemas, then erases the types for the table. */
export function defineJson<B extends z.ZodType, R extends z.ZodType>(route: JsonRoute<B, R>): AnyJsonRoute {
  return route as unknown as AnyJsonRoute;
}

/** Human-readable summary of zod issues, without echoing the input values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.code}`)
    .join('; ');
}

export interface Authenticators {
  /** the administrator behind the bearer token */
  admin(req: Request): AdminRecord;
  /** the device id behind a signed request */
  device(req: Request): string;
  /** the agent id behind an agent credential */
  agent(req: Request): string;
}

/** Whether an administrator of `role` may call `route` (see JsonRoute.roles). */
export function roleAllowed(route: Pick<AnyJsonRoute, 'method' | 'roles'>, role: AdminRole): boolean {
  if (role === 'sysadmin') return true;
  if (route.roles) return route.roles.includes(role);
  return route.method === 'get' || role === 'ra_officer';
}

export function mountJson(router: Router, route: AnyJsonRoute, auth: Authenticators): void {
  const expressPath = route.path.replace(/\{(\w+)\}/g, ':$1');
  router[route.method](expressPath, async (req: Request, res: Response) => {
    // the media type first: device signatures are checked over the JSON body's bytes
    if (route.body && !req.is('application/json')) throw Errors.unsupportedMedia({ en: 'send application/json', zh: '请使用 application/json' });
    const admin = route.auth === 'admin' ? auth.admin(req) : undefined;
    if (admin && !roleAllowed(route, admin.role)) throw Errors.forbidden({ en: `the ${admin.role} role may not do this`, zh: `当前角色 (${admin.role}) 无权执行此操作` });
    const deviceId = route.auth === 'device' ? auth.device(req) : '';
    const agentId = route.auth === 'agent' ? auth.agent(req) : '';
    let body: unknown;
    if (route.body) {
      const parsed = route.body.safeParse(req.body);
      if (!parsed.success) throw Errors.badRequest({ en: describeIssues(parsed.error), zh: describeIssues(parsed.error) });
      body = parsed.data;
    }
    const result = await route.handler({ body, params: req.params as Record<string, string>, req, deviceId, agentId, admin });
    res.status(200).json(route.response.parse(result));
  });
}

export function openApiDocument(registry: RouteTable): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorSchema = {
    type: 'object',
    properties: { code: { type: 'string' }, message: { type: 'string', description: '中文 (English)' } },
    required: ['code', 'message'],
  };
  for (const r of registry.json) {
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      ...(r.auth === 'admin' || r.auth === 'agent' ? { security: [{ bearer: [] }] } : r.auth === 'device' ? { security: [{ device: [] }] } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(r.body, { target: 'draft-2020-12', io: 'input' }) } } } } : {}),
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: z.toJSONSchema(r.response, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }) } } },
        default: { description: 'error', content: { 'application/json': { schema: errorSchema } } },
      },
    };
  }
  for (const r of registry.raw) {
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      ...(r.requestType ? { requestBody: { required: true, content: { [r.requestType]: { schema: { type: 'string', format: 'binary' } } } } } : {}),
      responses: { 200: { description: 'OK', content: { [r.responseType]: { schema: { type: 'string', format: 'binary' } } } } },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'MedSign cloud API', version: '0.1.0', description: 'MedSign 云端签名服务 — CA, co-signing, OCSP, CRL and TSA' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        device: { type: 'apiKey', in: 'header', name: 'X-MedSign-Signature', description: 'SM2 signature by the enrolled device key; see core/src/protocol/device-auth.ts' },
      },
    },
    paths,
  };
}
