/**
 * The one method registry. Each method is declared once with zod schemas for its params
 * and result; the WebSocket JSON-RPC surface, the HTTP surface (POST /v1/<method>), the
 * OpenAPI 3.1 document and the SDK's generated types all come from these declarations.
 */
import { z } from 'zod';
import { AgentError, Errors, toAgentError } from './errors.js';

/** Who is calling, and how to reach them with events. */
export interface CallContext {
  /** the browser origin, or "native" (or "native:<app>" with X-MedSign-App) for a caller without one (C library, Java, .NET) */
  client: string;
  /** events to the calling connection (WebSocket); HTTP callers read getStatus instead */
  emit(event: string, params: Record<string, unknown>): void;
}

export interface MethodDef<P extends z.ZodType, R extends z.ZodType> {
  name: string;
  summary: string;
  params: P;
  result: R;
  handler: (params: z.infer<P>, ctx: CallContext) => Promise<z.infer<R>> | z.infer<R>;
}

export type AnyMethod = MethodDef<z.ZodType, z.ZodType>;

export function defineMethod<P extends z.ZodType, R extends z.ZodType>(m: MethodDef<P, R>): AnyMethod {
  return m as unknown as AnyMethod;
}

/** Events sent as JSON-RPC notifications, declared like methods (for OpenAPI and the SDK). */
export const EVENTS = {
  verificationCode: z.object({ operationId: z.string(), verificationCode: z.string(), count: z.number().int(), certId: z.string() }).describe('校验码：与手机上显示的一致才可确认 (the code the phone shows too)'),
  progress: z.object({ operationId: z.string(), stage: z.enum(['digesting', 'waiting-for-phone', 'assembling', 'timestamping']), done: z.number().int(), total: z.number().int() }).describe('批量进度 (batch progress)'),
  sessionStatus: z.object({ operationId: z.string(), status: z.string() }).describe('云端会话状态变化 (cloud session status change)'),
  loginStatus: z.object({ operationId: z.string(), status: z.string(), verificationCode: z.string().optional(), qr: z.string().optional(), certId: z.string().optional(), name: z.string().optional(), error: z.unknown().optional() }).describe('登录状态 (login progress and result)'),
  deferredResult: z.object({ ticket: z.string(), status: z.enum(['OK', 'FAILED']), result: z.unknown().optional(), error: z.unknown().optional() }).describe('补签结果 (a deferred signing finished)'),
  certExpiring: z.object({ certId: z.string(), name: z.string(), notAfter: z.string(), daysLeft: z.number().int() }).describe('证书即将过期，请在手机上在线更新 (certificate expires soon: renew on the phone)'),
  cloudStatus: z.object({ online: z.boolean(), url: z.string() }).describe('云端连接变化 (cloud link change)'),
} as const;

/** zod issues as text, without the input values (they may be medical data or secrets). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(params)'}: ${i.message.replace(/received .*/i, '').trim() || i.code}`)
    .join('; ');
}

export class Registry {
  readonly methods = new Map<string, AnyMethod>();

  constructor(
    methods: AnyMethod[],
    /** unexpected failures (bugs): logged with their message and stack, never with params */
    private readonly onUnexpected: (method: string, err: unknown) => void = () => undefined,
  ) {
    for (const m of methods) {
      if (this.methods.has(m.name)) throw new Error(`duplicate method ${m.name}`);
      this.methods.set(m.name, m);
    }
  }

  async call(name: string, params: unknown, ctx: CallContext): Promise<unknown> {
    const m = this.methods.get(name);
    if (!m) throw Errors.methodNotFound({ zh: name.slice(0, 64), en: name.slice(0, 64) });
    const parsed = m.params.safeParse(params ?? {});
    if (!parsed.success) throw Errors.badParams({ zh: describeIssues(parsed.error), en: describeIssues(parsed.error) });
    let out: unknown;
    try {
      out = await m.handler(parsed.data, ctx);
    } catch (err) {
      const e = toAgentError(err);
      if (e.code === 'INTERNAL') this.onUnexpected(name, e.cause ?? err);
      throw e;
    }
    const checked = m.result.safeParse(out);
    if (!checked.success) this.onUnexpected(name, checked.error);
    if (!checked.success) throw new AgentError('INTERNAL', Errors.internal().sor, 500, '医签助手内部错误：结果格式不符', `internal agent error: result of ${name} does not match its schema`);
    return checked.data;
  }

  openApi(version: string): Record<string, unknown> {
    const errorSchema = {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'stable error code, see agent/README.md' },
        sor: { type: 'integer', description: 'GM/T 0020 SOR_* code' },
        message: { type: 'string', description: '中文 (English)' },
        retryable: { type: 'boolean' },
      },
      required: ['code', 'sor', 'message', 'retryable'],
    };
    const paths: Record<string, unknown> = {};
    for (const m of this.methods.values()) {
      paths[`/v1/${m.name}`] = {
        post: {
          operationId: m.name,
          summary: m.summary,
          requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(m.params, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) } } },
          responses: {
            200: { description: 'OK', content: { 'application/json': { schema: z.toJSONSchema(m.result, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }) } } },
            default: { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
          },
        },
      };
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'MedSign agent API (医签助手)',
        version,
        description: 'One method registry on three surfaces: WebSocket JSON-RPC 2.0 at ws://127.0.0.1:17990/v1/ws (events as notifications), HTTP POST /v1/<method> with the params as the JSON body, and this document.',
      },
      servers: [{ url: 'http://127.0.0.1:17990' }],
      components: { schemas: { Error: errorSchema } },
      paths,
      'x-medsign-events': Object.fromEntries(Object.entries(EVENTS).map(([k, s]) => [k, z.toJSONSchema(s, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' })])),
    };
  }
}
