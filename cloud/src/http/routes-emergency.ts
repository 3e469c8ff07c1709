/**
 * Emergency certificates (应急证书, issue 7): the console's list of grants and early end
 * (/api/v1/admin/emergency…), and the workstation agent's password login, key generation,
 * phone-less co-signing and logout (/api/v1/agent/emergency/…). Grants are created through
 * the `emergency` workflow (POST /api/v1/admin/requests). See docs/emergency.md.
 */
import { z } from 'zod';
import { CRL_REASON } from '@medsign/core';
import { Errors } from '../domain/errors.js';
import type { EmergencyService } from '../domain/emergency.js';
import { defineJson, describeIssues, type AnyJsonRoute } from './api.js';

const Id = z.string().uuid();
const b64 = z.string().min(4).max(16_384).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');
const ProtocolMessage = z.record(z.string(), z.unknown()); // checked field by field by core
const Token = z.string().min(16).max(128);
const EmployeeNo = z.string().regex(/^[A-Za-z0-9-]{1,32}$/);
/** XXXX-XXXX-XXXX; separators and case are forgiven */
const Password = z.string().min(8).max(64);
const STATUSES = ['issued', 'keygen', 'active', 'locked', 'revoked', 'expired'] as const;
const REVOCATION_REASONS = [CRL_REASON.unspecified, CRL_REASON.keyCompromise, CRL_REASON.affiliationChanged, CRL_REASON.cessationOfOperation, CRL_REASON.privilegeWithdrawn] as const;

const GrantView = z.object({
  id: z.string(),
  status: z.enum(STATUSES),
  staffId: z.string(),
  employeeNo: z.string().nullable(),
  staffName: z.string().nullable(),
  department: z.string().nullable(),
  agentId: z.string(),
  workstation: z.string().nullable(),
  algorithm: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  certificateSerial: z.string().nullable(),
  certificateStatus: z.enum(['good', 'revoked', 'hold']).nullable(),
  notBefore: z.string().nullable(),
  notAfter: z.string().nullable(),
  failures: z.number().int(),
  requestId: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  activatedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  note: z.string().nullable(),
});
const ListQuery = z
  .object({
    status: z.enum(STATUSES).optional(),
    staffId: Id.optional(),
    agentId: Id.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
const Session = { sessionToken: z.string(), unlockKey: z.string(), certificate: z.string(), chain: z.array(z.string()) };

const parse = <T extends z.ZodType>(schema: T, value: unknown): z.infer<T> => {
  const r = schema.safeParse(value);
  if (!r.success) throw Errors.badRequest({ en: describeIssues(r.error), zh: describeIssues(r.error) });
  return r.data;
};

export function emergencyRoutes(emergency: () => EmergencyService): AnyJsonRoute[] {
  return [
    defineJson({
      method: 'get',
      path: '/api/v1/admin/emergency',
      summary: '应急授权列表 (emergency grants, newest first: staff, workstation, validFrom/validTo, status, certificate; filters status, staffId, agentId)',
      auth: 'admin',
      response: z.object({ total: z.number().int(), grants: z.array(GrantView) }),
      handler: ({ req, admin }) => {
        const q = parse(ListQuery, req.query);
        const r = emergency().list(q);
        // a dept_approver sees the grants of their departments' staff only
        const grants = r.grants.map((g) => emergency().view(g)).filter((g) => admin?.role !== 'dept_approver' || (g.department !== null && admin.departments.includes(g.department)));
        return { total: admin?.role === 'dept_approver' ? grants.length : r.total, grants };
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/emergency/{id}',
      summary: '应急授权详情 (one emergency grant)',
      auth: 'admin',
      response: GrantView,
      handler: ({ params, admin }) => {
        const g = emergency().view(emergency().get(parse(Id, params.id)));
        if (admin?.role === 'dept_approver' && (g.department === null || !admin.departments.includes(g.department))) throw Errors.notFound({ zh: '没有这个应急授权', en: 'no such emergency grant' });
        return g;
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/emergency/{id}/revoke',
      summary: '提前终止应急授权 (end a grant early: its certificate is revoked, cessationOfOperation unless a reason is given; sysadmin, RA officer)',
      auth: 'admin',
      body: z.object({ reason: z.literal(REVOCATION_REASONS).optional() }).strict(),
      response: GrantView,
      handler: async ({ params, body, admin }) => emergency().view(await emergency().revoke(parse(Id, params.id), admin!, body.reason)),
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/workstations',
      summary: '已注册的工作站签名助手 (registered workstation agents: the agentId an emergency request names)',
      auth: 'admin',
      response: z.object({ workstations: z.array(z.object({ agentId: z.string(), name: z.string(), registeredAt: z.string() })) }),
      handler: () => ({ workstations: emergency().workstations().map((w) => ({ agentId: w.id, name: w.name, registeredAt: new Date(w.createdAt).toISOString() })) }),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/agent/emergency/login',
      summary: '应急登录 (employee number and emergency password; with keygen: the first use, key generation with the agent as the phone’s side; without: the unlock key and a session for a key activated before)',
      auth: 'agent',
      body: z.object({ employeeNo: EmployeeNo, password: Password, workstation: z.string().min(1).max(64), keygen: z.object({ sessionId: Id, hello: ProtocolMessage }).strict().optional() }).strict(),
      response: z.object({ grantId: z.string(), state: z.enum(['keygen', 'active']), validTo: z.string(), keygenReply: z.unknown().optional(), ...Object.fromEntries(Object.entries(Session).map(([k, v]) => [k, v.optional()])) }),
      handler: ({ body, agentId }) => emergency().login(agentId, { employeeNo: body.employeeNo, password: body.password, keygen: body.keygen }),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/agent/emergency/activate',
      summary: '应急激活 (confirm the key: the emergency certificate is issued, notAfter = the grant’s end)',
      auth: 'agent',
      body: z.object({ grantId: Id, keygenConfirm: ProtocolMessage }).strict(),
      response: z.object({ grantId: z.string(), validTo: z.string(), ...Session }),
      handler: ({ body, agentId }) => emergency().activate(agentId, body),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/agent/emergency/sign',
      summary: '应急签名：协同签名第一轮 (the cloud’s co-sign step for the agent’s commit; no phone; 1–1000 SM3 digests)',
      auth: 'agent',
      body: z
        .object({
          sessionToken: Token,
          grantId: Id.optional(),
          sessionId: Id,
          digests: z.array(z.string().max(64)).min(1).max(1000),
          app: z.string().min(1).max(64),
          summaries: z.array(z.string().min(1).max(200)).min(1).max(1000),
          workstation: z.string().min(1).max(64),
          commit: ProtocolMessage,
        })
        .strict(),
      response: z.object({ sessionId: z.string(), reply: z.unknown() }),
      handler: ({ body, agentId }) => emergency().sign(agentId, body),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/agent/emergency/sign/{id}/complete',
      summary: '应急签名结果 (the final signatures; the cloud verifies each against the emergency certificate and records it)',
      auth: 'agent',
      body: z.object({ sessionToken: Token, signatures: z.array(b64).min(1).max(1000) }).strict(),
      response: z.object({ status: z.enum(['OK', 'ERROR']) }),
      handler: ({ params, body, agentId }) => emergency().complete(agentId, parse(Id, params.id), { sessionToken: body.sessionToken, signatures: body.signatures.map((s) => new Uint8Array(Buffer.from(s, 'base64'))) }),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/agent/emergency/logout',
      summary: '应急退出 (end the emergency session; the grant stays until its end)',
      auth: 'agent',
      body: z.object({ sessionToken: Token }).strict(),
      response: z.object({ ok: z.literal(true) }),
      handler: ({ body, agentId }) => (emergency().logout(agentId, body.sessionToken), { ok: true as const }),
    }),
  ];
}
