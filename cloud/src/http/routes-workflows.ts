/** Workflows and requests (issue 7): /api/v1/admin/workflows, /api/v1/admin/requests, /api/v1/admin/workflow-events. */
import { z } from 'zod';
import { Errors } from '../domain/errors.js';
import { OPERATIONS, OPERATION_NAMES, RequestBody, WorkflowBody, type Operation, type RequestRecord, type WorkflowDefinition, type WorkflowService } from '../domain/workflows.js';
import { defineJson, describeIssues, type AnyJsonRoute } from './api.js';
import type { AdminRecord } from '../store/repositories.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const Step = z.object({ role: z.string(), departmentScope: z.boolean(), name: z.string().optional() });
const DefinitionView = z.object({ operation: z.string(), name: z.string(), steps: z.array(Step), autoApprove: z.boolean(), expiryHours: z.number(), updatedAt: z.string().nullable(), updatedBy: z.string() });
const RequestView = z.object({
  id: z.string(),
  operation: z.string(),
  operationName: z.string(),
  status: z.enum(['pending', 'rejected', 'expired', 'cancelled', 'executed', 'failed']),
  applicant: z.string(),
  department: z.string().nullable(),
  subject: z.string(),
  payload: z.record(z.string(), z.unknown()),
  step: z.number(),
  steps: z.number(),
  nextStep: Step.nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  decidedAt: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
});
const Activation = z.object({ enrollmentId: z.string(), activationCode: z.string(), expiresAt: z.string(), qr: z.string() });
/** issue 7: an executed emergency request's grant and one-time password (shown once) */
const EmergencyIssued = z.object({ grantId: z.string(), password: z.string(), staffId: z.string(), agentId: z.string(), validFrom: z.string(), validTo: z.string() });
const Decision = z.object({ step: z.number(), admin: z.string(), decision: z.enum(['approve', 'reject']), reason: z.string().nullable(), at: z.string() });

const OperationParam = z.enum(OPERATIONS);
const ListQuery = z
  .object({
    status: z.enum(['pending', 'rejected', 'expired', 'cancelled', 'executed', 'failed']).optional(),
    operation: OperationParam.optional(),
    department: z.string().min(1).max(64).optional(),
    applicant: z.string().min(1).max(64).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
const EventsQuery = z.object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();

const parse = <T extends z.ZodType>(schema: T, value: unknown): z.infer<T> => {
  const r = schema.safeParse(value);
  if (!r.success) throw Errors.badRequest({ en: describeIssues(r.error), zh: describeIssues(r.error) });
  return r.data;
};

/** a dept_approver sees the requests of their departments only */
const visible = (admin: AdminRecord | undefined, r: RequestRecord) => admin?.role !== 'dept_approver' || (r.department !== null && admin.departments.includes(r.department));

export function workflowRoutes(workflows: () => WorkflowService): AnyJsonRoute[] {
  const defView = (d: WorkflowDefinition) => ({ operation: d.operation, name: OPERATION_NAMES[d.operation], steps: d.steps, autoApprove: d.autoApprove, expiryHours: d.expiryHours, updatedAt: d.updatedAt ? iso(d.updatedAt) : null, updatedBy: d.updatedBy });
  const view = (r: RequestRecord) => {
    const steps = workflows().stepsOf(r);
    const next = r.status === 'pending' ? (steps[r.step] ?? null) : null;
    return {
      id: r.id,
      operation: r.operation,
      operationName: OPERATION_NAMES[r.operation],
      status: r.status,
      applicant: r.applicant,
      department: r.department,
      subject: r.subject,
      payload: r.payload,
      step: r.step,
      steps: steps.length,
      nextStep: next,
      createdAt: iso(r.createdAt)!,
      expiresAt: iso(r.expiresAt)!,
      decidedAt: iso(r.decidedAt),
      result: r.result,
      error: r.error,
    };
  };
  const own = (admin: AdminRecord | undefined, id: string) => {
    const r = workflows().get(z.string().uuid().parse(id));
    if (!visible(admin, r)) throw Errors.notFound({ zh: '没有这个申请', en: 'no such request' });
    return r;
  };
  return [
    defineJson({
      method: 'get',
      path: '/api/v1/admin/workflows',
      summary: '业务流程 (the approval workflow of every lifecycle operation)',
      auth: 'admin',
      response: z.object({ workflows: z.array(DefinitionView) }),
      handler: () => ({ workflows: workflows().definitions().map(defView) }),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/workflows/{operation}',
      summary: '设置业务流程 (set an operation\'s steps, auto-approval and request expiry; sysadmin)',
      auth: 'admin',
      roles: [],
      body: WorkflowBody,
      response: DefinitionView,
      handler: ({ params, body, admin }) => defView(workflows().define(parse(OperationParam, params.operation) as Operation, body, admin!)),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/requests',
      summary: '提交业务申请 (make a request: apply, revoke, hold, release, pin_unlock, replace, emergency; runs at once when the workflow auto-approves)',
      auth: 'admin',
      roles: ['ra_officer', 'dept_approver'],
      body: RequestBody,
      response: z.object({ request: RequestView, activation: Activation.optional(), emergency: EmergencyIssued.optional() }),
      handler: async ({ body, admin }) => {
        const r = await workflows().submit(body, admin!);
        return { request: view(r.request), ...(r.activation ? { activation: r.activation } : {}), ...(r.emergency ? { emergency: r.emergency } : {}) };
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/requests',
      summary: '业务申请列表 (requests, newest first; filters status, operation, department, applicant)',
      auth: 'admin',
      response: z.object({ requests: z.array(RequestView) }),
      handler: ({ req, admin }) => {
        const q = parse(ListQuery, req.query);
        return { requests: workflows().list(q).filter((r) => visible(admin, r)).map(view) };
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/requests/{id}',
      summary: '业务申请详情 (a request with its decisions)',
      auth: 'admin',
      response: z.object({ request: RequestView, decisions: z.array(Decision) }),
      handler: ({ params, admin }) => {
        const r = own(admin, params.id!);
        return { request: view(r), decisions: workflows().decisions(r.id).map((d) => ({ step: d.step, admin: d.admin, decision: d.decision, reason: d.reason, at: iso(d.at)! })) };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/requests/{id}/approve',
      summary: '审批通过当前步骤 (approve the current step; the last approval runs the operation)',
      auth: 'admin',
      roles: ['ra_officer', 'dept_approver'],
      body: z.object({ comment: z.string().max(200).optional() }).strict(),
      response: z.object({ request: RequestView, activation: Activation.optional(), emergency: EmergencyIssued.optional() }),
      handler: async ({ params, body, admin }) => {
        const r = await workflows().decide(own(admin, params.id!).id, admin!, 'approve', body.comment);
        return { request: view(r.request), ...(r.activation ? { activation: r.activation } : {}), ...(r.emergency ? { emergency: r.emergency } : {}) };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/requests/{id}/reject',
      summary: '驳回申请 (reject, with a reason: the whole request is rejected)',
      auth: 'admin',
      roles: ['ra_officer', 'dept_approver'],
      body: z.object({ reason: z.string().min(1).max(200) }).strict(),
      response: z.object({ request: RequestView }),
      handler: async ({ params, body, admin }) => ({ request: view((await workflows().decide(own(admin, params.id!).id, admin!, 'reject', body.reason)).request) }),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/requests/{id}/cancel',
      summary: '撤回申请 (withdraw a pending request: its applicant or a sysadmin; a lost-phone replacement withdrawn because the phone was found releases the hold)',
      auth: 'admin',
      roles: ['ra_officer', 'dept_approver'],
      body: z.object({ reason: z.string().min(1).max(200) }).strict(),
      response: z.object({ request: RequestView }),
      handler: async ({ params, body, admin }) => ({ request: view(await workflows().cancel(own(admin, params.id!).id, admin!, body.reason)) }),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/staff/import',
      summary: '批量导入医务人员 (bulk import of staff from CSV: all rows or none, row-level errors; optionally an apply request per person)',
      auth: 'admin',
      body: z
        .object({
          csv: z.string().min(1).max(900_000),
          apply: z.object({ algorithm: z.enum(['sm2', 'rsa-2048', 'rsa-1024']), templateId: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/).optional() }).strict().optional(),
        })
        .strict(),
      response: z.object({
        imported: z.number(),
        errors: z.array(z.object({ row: z.number(), field: z.string().nullable(), code: z.string(), message: z.string() })),
        staff: z.array(z.object({ id: z.string(), employeeNo: z.string(), name: z.string(), department: z.string() })),
        requests: z.array(z.object({ employeeNo: z.string(), request: RequestView.optional(), activation: Activation.optional(), error: z.string().optional() })),
      }),
      handler: async ({ body, admin }) => {
        const r = await workflows().importStaff(body.csv, admin!, body.apply);
        return {
          imported: r.imported.length,
          errors: r.errors,
          staff: r.imported.map((x) => ({ id: x.id, employeeNo: x.employeeNo, name: x.name, department: x.department })),
          requests: r.requests.map((x) => ({ employeeNo: x.employeeNo, ...(x.request ? { request: view(x.request) } : {}), ...(x.activation ? { activation: x.activation } : {}), ...(x.error ? { error: x.error } : {}) })),
        };
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/workflow-events',
      summary: '流程通知 (workflow events since `after`: created, step_approved, rejected, expired, executed, failed)',
      auth: 'admin',
      response: z.object({ events: z.array(z.object({ id: z.number(), requestId: z.string(), type: z.string(), operation: z.string(), department: z.string().nullable(), at: z.string(), data: z.record(z.string(), z.unknown()) })), last: z.number() }),
      handler: ({ req, admin }) => {
        const q = parse(EventsQuery, req.query);
        const all = workflows().events(q.after, q.limit);
        const events = all.filter((e) => admin?.role !== 'dept_approver' || (e.department !== null && admin.departments.includes(e.department)));
        return { events: events.map((e) => ({ ...e, at: iso(e.at)! })), last: all.at(-1)?.id ?? q.after };
      },
    }),
  ];
}
