/** The audit log over HTTP: read and verify (auditor, sysadmin), checkpoint now (sysadmin). */
import { z } from 'zod';
import { checkpointView } from '../domain/audit.js';
import { Errors } from '../domain/errors.js';
import { defineJson, describeIssues, type AnyJsonRoute } from './api.js';
import type { Services } from './routes.js';

const Time = z.union([z.iso.datetime({ offset: true }), z.string().regex(/^\d{1,15}$/)]).transform((s) => (/^\d+$/.test(s) ? Number(s) : Date.parse(s)));
const Query = z
  .object({
    from: Time.optional(),
    to: Time.optional(),
    actor: z.string().min(1).max(128).optional(),
    action: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/).optional(),
    target: z.string().min(1).max(128).optional(),
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).max(1e9).default(0),
  })
  .strict();

const Entry = z.object({
  seq: z.number().int(),
  time: z.string(),
  actorType: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  result: z.string(),
  details: z.record(z.string(), z.unknown()),
  alg: z.enum(['sha256', 'sm3']),
  prev: z.string(),
  hash: z.string(),
});
const Issue = z.object({ seq: z.number().int(), reason: z.string(), message: z.string() });
const Verification = z.object({
  valid: z.boolean(),
  entries: z.number().int(),
  head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  checkpoints: z.object({ total: z.number().int(), valid: z.number().int(), lastSeq: z.number().int().nullable(), lastTime: z.string().nullable() }),
  unstamped: z.number().int(),
  firstBroken: Issue.nullable(),
  issues: z.array(Issue),
  verifiedAt: z.string(),
});
const Checkpoint = z.object({ id: z.number().int(), seq: z.number().int(), hash: z.string(), alg: z.string(), time: z.string(), token: z.string().describe('RFC 3161 TimeStampToken, base64 DER') });

export function auditRoutes(services: Services): AnyJsonRoute[] {
  return [
    defineJson({
      method: 'get',
      path: '/api/v1/admin/audit',
      summary: '审计日志查询 (the audit log, newest first: ?from&to (ISO 8601 or epoch ms)&actor&action&target&order&limit ≤ 500&offset)',
      auth: 'admin',
      roles: ['auditor'],
      response: z.object({ total: z.number().int(), entries: z.array(Entry) }),
      handler: ({ req }) => {
        const q = Query.safeParse({ ...(req.query as Record<string, unknown>) });
        if (!q.success) throw Errors.badRequest({ en: describeIssues(q.error), zh: describeIssues(q.error) });
        if ([q.data.from, q.data.to].some((t) => t !== undefined && !Number.isFinite(t))) throw Errors.badRequest({ en: 'from/to: not a time', zh: 'from/to 不是有效时间' });
        return services.audit.query(q.data);
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/audit/verify',
      summary: '审计日志校验 (recompute the hash chain and check the TSA checkpoints, as `medsign-cloud audit verify`)',
      auth: 'admin',
      roles: ['auditor'],
      response: Verification,
      handler: () => services.audit.verify(),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/audit/checkpoint',
      summary: '审计检查点 (timestamp the chain head with the TSA now; sysadmin)',
      auth: 'admin',
      roles: [],
      response: Checkpoint,
      handler: async ({ admin }) => {
        const cp = await services.audit.checkpoint();
        if (!cp) throw Errors.conflict({ en: 'the audit log is empty', zh: '审计日志为空' });
        services.audit.record({ actorType: 'admin', actor: admin!.username, action: 'audit.checkpoint', target: String(cp.seq), result: 'ok', details: { checkpoint: cp.id, hash: cp.hash } });
        return checkpointView(cp);
      },
    }),
  ];
}
