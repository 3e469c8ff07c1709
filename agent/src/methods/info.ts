/** getVersion, getStatus, genRandom, setSignMethod/getSignMethod. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AGENT_VERSION, API_VERSION, type AgentContext } from '../context.js';
import { Errors } from '../errors.js';
import { defineMethod, type AnyMethod } from '../registry.js';
import { SignMethod } from './params.js';

const OperationView = z.object({
  operationId: z.string(),
  kind: z.enum(['login', 'sign']),
  method: z.string(),
  status: z.enum(['PENDING', 'OK', 'FAILED']),
  certId: z.string().optional(),
  count: z.number().int(),
  verificationCode: z.string().optional(),
  qr: z.string().optional(),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), sor: z.number(), message: z.string(), retryable: z.boolean() }).optional(),
});

export function infoMethods(a: AgentContext): AnyMethod[] {
  return [
    defineMethod({
      name: 'getVersion',
      summary: '版本 (SOF_GetVersion): the agent and API versions',
      params: z.object({}).strict(),
      result: z.object({ version: z.string(), apiVersion: z.string(), product: z.string() }),
      handler: () => ({ version: AGENT_VERSION, apiVersion: API_VERSION, product: 'MedSign Agent 医签助手' }),
    }),
    defineMethod({
      name: 'getStatus',
      summary: '状态：云端连接、已登录用户、进行中的签名及其校验码；给 operationId 时返回该操作（可等待 wait 秒）(agent status; or one operation, long-polling up to `wait` seconds)',
      params: z.object({ operationId: z.string().uuid().optional(), wait: z.number().int().min(0).max(30).optional() }).strict(),
      result: z.object({
        version: z.string(),
        cloud: z.object({ online: z.boolean(), active: z.string(), links: z.array(z.object({ url: z.string(), ok: z.boolean().nullable(), skewMs: z.number().nullable(), lastCheck: z.string().nullable() })) }),
        registered: z.boolean(),
        users: z.array(z.object({ certId: z.string(), name: z.string(), notAfter: z.string() })),
        pending: z.array(OperationView),
        deferred: z.number().int(),
        operation: OperationView.optional(),
      }),
      handler: async (p, ctx) => {
        // each application sees its own operations only (codes and QR payloads are not for other pages)
        let operation;
        if (p.operationId) {
          const own = a.ops.get(p.operationId);
          if (!own || (own.client !== ctx.client && own.client !== 'deferred')) throw Errors.operationNotFound();
          operation = await a.ops.wait(p.operationId, (p.wait ?? 0) * 1000);
        }
        return {
          version: AGENT_VERSION,
          cloud: { online: a.cloud.online, active: a.cloud.active.url, links: a.cloud.links.map((l) => ({ url: l.url, ok: l.ok ?? null, skewMs: l.skewMs ?? null, lastCheck: l.lastCheck ?? null })) },
          registered: a.state.credential !== undefined,
          users: a.state.users().map((u) => ({ certId: u.certId, name: u.name, notAfter: u.cert.notAfter.toISOString() })),
          pending: a.ops
            .pending()
            .filter((o) => o.client === ctx.client || o.client === 'deferred')
            .map(({ result: _r, ...o }) => o),
          deferred: a.journal.pending().length,
          ...(operation ? { operation: { ...operation } } : {}),
        };
      },
    }),
    defineMethod({
      name: 'genRandom',
      summary: '随机数 (SOF_GenRandom): `length` bytes from the OS CSPRNG',
      params: z.object({ length: z.number().int().min(1).max(4096) }).strict(),
      result: z.object({ random: z.string() }),
      handler: (p) => ({ random: randomBytes(p.length).toString('base64') }),
    }),
    defineMethod({
      name: 'setSignMethod',
      summary: '设置签名算法 (SOF_SetSignMethod): GM/T 0006 SGD_SM3_SM2, SGD_SM3_RSA, SGD_SHA1_RSA or SGD_SHA256_RSA, for this application (browser origin, or native clients together). SM2 certificates always sign SGD_SM3_SM2; the method chooses the hash for RSA certificates',
      params: z.object({ method: SignMethod }).strict(),
      result: z.object({ method: z.number().int() }),
      handler: (p, ctx) => {
        a.signing.setSignMethod(ctx.client, p.method);
        return { method: p.method };
      },
    }),
    defineMethod({
      name: 'getSignMethod',
      summary: '查询签名算法 (SOF_GetSignMethod)',
      params: z.object({}).strict(),
      result: z.object({ method: z.number().int() }),
      handler: (_p, ctx) => ({ method: a.signing.getSignMethod(ctx.client) }),
    }),
  ];
}
