/**
 * Configurable service workflows (业务流程定制): for each lifecycle operation an ordered list of
 * approval steps; a request goes through them and, once every step approved, the operation runs.
 *
 * - A step requires a role and, optionally, the applicant staff member's department
 *   (`departmentScope`: an administrator whose `departments` include it, e.g. the department
 *   head as a dept_approver).
 * - Nobody approves their own request (SELF_APPROVAL), and nobody approves two steps of one
 *   request (DUPLICATE_APPROVER: two steps mean two people).
 * - One rejection, with its reason, rejects the request. A request not decided within the
 *   workflow's expiry (hours) expires.
 * - `autoApprove`: the operation runs when the request is made (the default, which is what the
 *   direct admin endpoints do); with steps configured and autoApprove off, the direct
 *   endpoint for that operation answers WORKFLOW_REQUIRED and requests go through
 *   /api/v1/admin/requests.
 * - Every change is an event (created, approved step, rejected, expired, executed, failed):
 *   the console and the API read them as notifications.
 *
 * Executed here: apply (an enrollment: the activation code goes to whoever completes the
 * request, once, and is never stored), revoke, hold, release, pin_unlock (after an identity
 * check, recorded) and replace (丢失补办: hold at once when requested; approved → revoked and a
 * new activation code; cancelled because the phone was found → released). renew (在线更新) is
 * requested by the phone when it opens a renewal inside the window: with a workflow that needs
 * approval, the first attempt files the request (RENEWAL_PENDING_APPROVAL) and the phone's
 * next attempt after the approval proceeds, once. emergency (应急证书, domain/emergency.ts):
 * approved, it creates a grant for one staff member on one workstation agent with a one-time
 * emergency password, shown once to whoever completes the request.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CRL_REASON, parseCertificate } from '@medsign/core';
import { Errors, CloudError } from './errors.js';
import type { AuditService } from './audit.js';
import type { EnrollmentService } from './enrollment.js';
import type { PkiService } from './pki.js';
import type { SessionService } from './sessions.js';
import { EMERGENCY_MAX_HOURS, type EmergencyIssued, type EmergencyService } from './emergency.js';
import type { AdminRecord, AdminRole, Store } from '../store/repositories.js';
import { importStaff, type ImportError } from './staff-import.js';

export const OPERATIONS = ['apply', 'renew', 'revoke', 'hold', 'release', 'replace', 'emergency', 'pin_unlock'] as const;
export type Operation = (typeof OPERATIONS)[number];
/** the operations a request can be made for today */
export const EXECUTABLE: readonly Operation[] = ['apply', 'revoke', 'hold', 'release', 'pin_unlock', 'replace', 'emergency'];
/** made by the phone itself (online renewal, at /api/v1/mobile/renew/open), decided by administrators */
export const PHONE_REQUESTED: readonly Operation[] = ['renew'];
export const OPERATION_NAMES: Record<Operation, string> = {
  apply: '证书申请',
  renew: '证书更新',
  revoke: '证书吊销',
  hold: '证书冻结',
  release: '证书解冻',
  replace: '丢失补办',
  emergency: '应急证书',
  pin_unlock: 'PIN 解锁',
};

export interface WorkflowStep {
  role: AdminRole;
  departmentScope: boolean;
  /** shown in the console, e.g. 科室主任审核 */
  name?: string | undefined;
}

export interface WorkflowDefinition {
  operation: Operation;
  steps: WorkflowStep[];
  autoApprove: boolean;
  expiryHours: number;
  updatedAt: number;
  updatedBy: string;
}

export type RequestStatus = 'pending' | 'rejected' | 'expired' | 'cancelled' | 'executed' | 'failed';

export interface RequestRecord {
  id: string;
  operation: Operation;
  status: RequestStatus;
  /** the administrator who made the request */
  applicant: string;
  /** the staff member's department (department-scoped steps) */
  department: string | null;
  /** who or what it is about, for people: "王医生 (D1001)", "certificate 1A2B…" */
  subject: string;
  payload: Record<string, unknown>;
  /** the next step to decide (= steps.length once approved) */
  step: number;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  /** what the operation produced (never secrets) */
  result: Record<string, unknown> | null;
  /** the error code when the operation failed */
  error: string | null;
}

export interface DecisionRecord {
  requestId: string;
  step: number;
  admin: string;
  decision: 'approve' | 'reject';
  reason: string | null;
  at: number;
}

export type WorkflowEventType = 'created' | 'step_approved' | 'rejected' | 'expired' | 'cancelled' | 'executed' | 'failed';

export interface WorkflowEventRecord {
  id: number;
  requestId: string;
  type: WorkflowEventType;
  operation: Operation;
  department: string | null;
  at: number;
  data: Record<string, unknown>;
}

export interface RequestQuery {
  status?: RequestStatus | undefined;
  operation?: Operation | undefined;
  department?: string | undefined;
  applicant?: string | undefined;
  limit: number;
  offset: number;
}

export interface WorkflowRepository {
  definition(operation: Operation): WorkflowDefinition | undefined;
  definitions(): WorkflowDefinition[];
  saveDefinition(d: WorkflowDefinition): void;
  insertRequest(r: RequestRecord): void;
  updateRequest(r: RequestRecord): void;
  request(id: string): RequestRecord | undefined;
  requests(q: RequestQuery): RequestRecord[];
  expiredPending(now: number): RequestRecord[];
  /** the newest request of an operation about a certificate (payload.serial) */
  latestForSerial(operation: Operation, serial: string): RequestRecord | undefined;
  insertDecision(d: DecisionRecord): void;
  decisions(requestId: string): DecisionRecord[];
  insertEvent(e: Omit<WorkflowEventRecord, 'id'>): void;
  events(afterId: number, limit: number): WorkflowEventRecord[];
}

/** The body of a workflow definition (PUT /api/v1/admin/workflows/{operation}). */
export const WorkflowBody = z
  .object({
    steps: z
      .array(
        z
          .object({
            role: z.enum(['sysadmin', 'ra_officer', 'dept_approver', 'auditor']).refine((r) => r !== 'auditor', 'the auditor role is read-only'),
            departmentScope: z.boolean().default(false),
            name: z.string().min(1).max(40).optional(),
          })
          .strict(),
      )
      .max(5),
    autoApprove: z.boolean(),
    expiryHours: z.number().int().min(1).max(24 * 30).default(72),
  })
  .strict()
  .refine((w) => w.autoApprove || w.steps.length > 0, { message: 'a workflow without auto-approval needs at least one step' });

const Serial = z.string().regex(/^[0-9A-Fa-f]{1,40}$/).transform((s) => s.toUpperCase());
const REVOCATION_REASONS = [CRL_REASON.unspecified, CRL_REASON.keyCompromise, CRL_REASON.affiliationChanged, CRL_REASON.superseded, CRL_REASON.cessationOfOperation, CRL_REASON.privilegeWithdrawn] as const;

/** What a request carries, per operation. */
export const RequestBody = z.discriminatedUnion('operation', [
  z.object({ operation: z.literal('apply'), staffId: z.string().uuid(), algorithm: z.enum(['sm2', 'rsa-2048', 'rsa-1024']), templateId: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/).optional(), note: z.string().max(200).optional() }).strict(),
  z.object({ operation: z.literal('revoke'), serial: Serial, reason: z.literal(REVOCATION_REASONS), note: z.string().max(200).optional() }).strict(),
  z.object({ operation: z.literal('hold'), serial: Serial, note: z.string().max(200).optional() }).strict(),
  z.object({ operation: z.literal('release'), serial: Serial, note: z.string().max(200).optional() }).strict(),
  z.object({ operation: z.literal('pin_unlock'), serial: Serial, identityCheck: z.string().min(2).max(200), note: z.string().max(200).optional() }).strict(),
  // lost-phone replacement: the certificate goes on hold at once; approved, it is revoked and a new
  // activation code issued (new phone, new key, new certificate); cancelled (phone found), released
  z
    .object({
      operation: z.literal('replace'),
      serial: Serial,
      revocationReason: z.union([z.literal(CRL_REASON.keyCompromise), z.literal(CRL_REASON.superseded)]).default(CRL_REASON.keyCompromise),
      algorithm: z.enum(['sm2', 'rsa-2048', 'rsa-1024']).optional(),
      note: z.string().max(200).optional(),
    })
    .strict(),
  // issue 7, emergency certificate: a grant for one staff member on one registered workstation agent
  z
    .object({
      operation: z.literal('emergency'),
      staffId: z.string().uuid(),
      agentId: z.string().uuid(),
      hours: z.number().int().min(1).max(EMERGENCY_MAX_HOURS),
      algorithm: z.literal('sm2').default('sm2'),
      note: z.string().max(200).optional(),
    })
    .strict(),
  z.object({ operation: z.literal('renew') }).passthrough(),
]);
export type RequestInput = z.infer<typeof RequestBody>;

/** What the phone scans: the activation code with the cloud, the enrollment and the share-transport key's fingerprint. */
export function activationFor(pki: PkiService, e: { enrollment: { id: string; expiresAt: number }; activationCode: string }, algorithm: string) {
  // the phone uses the enrollment id as the key-generation session id; tk lets it trust the key it fetches
  const qr = `medsign://enroll?v=1&cloud=${encodeURIComponent(pki.publicUrl)}&enrollment=${e.enrollment.id}&code=${e.activationCode}&alg=${algorithm}&tk=${pki.transportKey().fingerprint}`;
  return { enrollmentId: e.enrollment.id, activationCode: e.activationCode, expiresAt: new Date(e.enrollment.expiresAt).toISOString(), qr };
}

/** the key algorithm of a certificate, for its replacement */
function algorithmOf(der: Uint8Array): 'sm2' | 'rsa-2048' | 'rsa-1024' {
  const key = parseCertificate(der).publicKey;
  if (key.algorithm === 'sm2') return 'sm2';
  return key.n.toString(2).length <= 1024 ? 'rsa-1024' : 'rsa-2048';
}

const DEFAULT: Omit<WorkflowDefinition, 'operation'> = { steps: [], autoApprove: true, expiryHours: 72, updatedAt: 0, updatedBy: 'default' };

export interface Completed {
  request: RequestRecord;
  /** the enrollment's activation code and QR payload of an executed apply: shown once, never stored */
  activation?: { enrollmentId: string; activationCode: string; expiresAt: string; qr: string } | undefined;
  /** an executed emergency request: the grant and its one-time password, shown once, never stored */
  emergency?: EmergencyIssued | undefined;
}

export interface WorkflowDeps {
  store: Store;
  audit: AuditService;
  pki: PkiService;
  enrollment: EnrollmentService;
  sessions: SessionService;
  /** issue 7: emergency certificates (set by server.ts) */
  emergency?: EmergencyService;
}

export class WorkflowService {
  constructor(private readonly d: WorkflowDeps) {}

  definition(operation: Operation): WorkflowDefinition {
    return this.d.store.workflows.definition(operation) ?? { operation, ...DEFAULT };
  }

  definitions(): WorkflowDefinition[] {
    return OPERATIONS.map((op) => this.definition(op));
  }

  define(operation: Operation, body: z.infer<typeof WorkflowBody>, admin: AdminRecord, now = Date.now()): WorkflowDefinition {
    const d: WorkflowDefinition = { operation, steps: body.steps.map((s) => ({ role: s.role, departmentScope: s.departmentScope, ...(s.name ? { name: s.name } : {}) })), autoApprove: body.autoApprove, expiryHours: body.expiryHours, updatedAt: now, updatedBy: admin.username };
    return this.d.audit.asAdmin(admin, 'workflow.define', operation, () => (this.d.store.workflows.saveDefinition(d), d), () => ({ steps: d.steps, autoApprove: d.autoApprove, expiryHours: d.expiryHours }));
  }

  /** The direct admin endpoints run only while their operation's workflow auto-approves. */
  assertDirect(operation: Operation): void {
    const d = this.definition(operation);
    if (!d.autoApprove)
      throw new CloudError('WORKFLOW_REQUIRED', 409, `${OPERATION_NAMES[operation]}需要走审批流程，请通过 /api/v1/admin/requests 提交申请`, `${operation} needs approval: make a request through /api/v1/admin/requests`);
  }

  /** Make a request; with auto-approval it runs at once. */
  async submit(input: RequestInput, applicant: AdminRecord, now = Date.now()): Promise<Completed> {
    const op = input.operation;
    if (!EXECUTABLE.includes(op))
      throw new CloudError('NOT_SUPPORTED', 501, `${OPERATION_NAMES[op]}的申请尚未实现（规划中）`, `requests for ${op} are not implemented yet`);
    const { department, subject, payload } = this.describe(input);
    if (op === 'replace' && this.d.pki.certificate(payload.serial as string).status === 'revoked') throw Errors.certRevoked({ zh: '已吊销的证书无需补办冻结，请直接申请新证书', en: 'a revoked certificate: apply for a new one' });
    const def = this.definition(op);
    const request = this.newRequest(op, applicant.username, department, subject, payload, now);
    this.d.audit.asAdmin(applicant, 'request.create', request.id, () => {
      this.d.store.workflows.insertRequest(request);
      this.event(request, 'created', now, { applicant: applicant.username, subject, steps: def.autoApprove ? 0 : def.steps.length });
    }, () => ({ operation: op, subject, autoApprove: def.autoApprove }));
    if (op === 'replace') await this.holdForReplacement(request, applicant, now);
    if (def.autoApprove || def.steps.length === 0) return this.execute(request, applicant, now);
    return { request };
  }

  /**
   * Online renewal through the workflow (called by /api/v1/mobile/renew/open after the PIN
   * check). Auto-approval: go ahead. Otherwise the phone's first attempt files a renew request
   * and is told to wait; once the request was approved, the next attempt goes ahead and uses
   * the approval up (`consume`, after the renewal really opened).
   */
  renewalGate(serial: string, now = Date.now()): { consume(): void } {
    const noop = { consume: () => undefined };
    const def = this.definition('renew');
    if (def.autoApprove || def.steps.length === 0) return noop;
    let last = this.d.store.workflows.latestForSerial('renew', serial);
    if (last) this.expireIfDue(last, now), (last = this.get(last.id));
    if (last?.status === 'pending')
      throw new CloudError('RENEWAL_PENDING_APPROVAL', 409, '证书更新申请正在审批中，审批通过后请再次更新', `the renewal request ${last.id} awaits approval: renew again once approved`);
    if (last?.status === 'executed' && !last.result?.usedAt)
      return {
        consume: () => {
          const used: RequestRecord = { ...last!, result: { ...last!.result, usedAt: new Date(now).toISOString() } };
          this.d.store.transaction(() => this.d.store.workflows.updateRequest(used));
        },
      };
    const cert = this.d.pki.certificate(serial);
    const request = this.fileForStaff('renew', cert.staffId, serial, { serial }, now, { previous: last?.status ?? null });
    throw new CloudError('RENEWAL_PENDING_APPROVAL', 409, '已提交证书更新申请，审批通过后请再次更新', `a renewal request ${request.id} was filed: renew again once approved`);
  }

  /** A new pending request, expiring after its workflow's hours. */
  private newRequest(operation: Operation, applicant: string, department: string | null, subject: string, payload: Record<string, unknown>, now: number): RequestRecord {
    const def = this.definition(operation);
    return { id: randomUUID(), operation, status: 'pending', applicant, department, subject, payload, step: 0, createdAt: now, expiresAt: now + def.expiryHours * 3_600_000, decidedAt: null, result: null, error: null };
  }

  /** A request a staff member makes (the phone's renewal, a self-reported loss): filed, with its event and audit entry. */
  private fileForStaff(operation: Operation, staffId: string | null, serial: string, payload: Record<string, unknown>, now: number, eventData: Record<string, unknown>): RequestRecord {
    const staff = staffId ? this.d.store.staff.get(staffId) : undefined;
    const request = this.newRequest(operation, `staff:${staff?.employeeNo ?? staffId ?? '?'}`, staff?.department ?? null, staff ? `${staff.name} (${staff.employeeNo}) ${serial}` : serial, payload, now);
    this.d.store.transaction(() => {
      this.d.store.workflows.insertRequest(request);
      this.event(request, 'created', now, { applicant: request.applicant, subject: request.subject, ...eventData });
      this.d.audit.record({ actorType: 'staff', actor: staff?.employeeNo ?? staffId ?? '?', action: 'request.create', target: request.id, result: 'ok', details: { operation, serial, ...eventData } });
    });
    return request;
  }

  /**
   * The doctor reports their own phone lost, from a workstation where they are still logged in
   * (the agent's user session is the proof): the certificate goes on hold at once and a replace
   * request waits for an administrator — always, even when the replace workflow auto-approves,
   * because the new activation code must reach the doctor through the hospital, not the
   * workstation (the implicit step: an RA officer).
   */
  async reportLost(staffId: string, serial: string, agentName: string, now = Date.now()): Promise<RequestRecord> {
    const staff = this.d.store.staff.get(staffId);
    const cert = this.d.pki.certificate(serial);
    if (cert.status === 'revoked') throw Errors.certRevoked();
    const open = this.d.store.workflows.latestForSerial('replace', serial);
    if (open?.status === 'pending') return open; // reported already: nothing more to do
    const request = this.fileForStaff('replace', staffId, serial, { serial, revocationReason: CRL_REASON.keyCompromise, selfReported: true, workstation: agentName }, now, { selfReported: true, workstation: agentName });
    if (cert.status === 'good')
      await this.holdLost(request, now, (details) => this.d.audit.record({ actorType: 'staff', actor: staff?.employeeNo ?? staffId, action: 'certificate.hold', target: serial, result: 'ok', details: { ...details, selfReported: true } }));
    return request;
  }

  /** reportLost for the doctor behind an agent's user session (POST /api/v1/agent/lost). */
  async reportLostFromAgent(agentId: string, userSessionToken: string, now = Date.now()): Promise<RequestRecord> {
    const us = this.d.sessions.userSession(agentId, userSessionToken, now);
    const serial = this.d.store.shares.get(us.shareId)?.certificateSerial;
    if (!serial) throw Errors.conflict({ zh: '没有可挂失的证书', en: 'no certificate to report' });
    return this.reportLost(us.staffId, serial, this.d.store.agents.get(agentId)?.name ?? agentId, now);
  }

  /** The steps a request goes through: a self-reported replacement always waits for an RA officer. */
  stepsOf(request: Pick<RequestRecord, 'operation' | 'payload'>): WorkflowStep[] {
    const def = this.definition(request.operation);
    if (request.operation === 'replace' && request.payload.selfReported && (def.autoApprove || def.steps.length === 0))
      return [{ role: 'ra_officer', departmentScope: false, name: '信息科确认（本人挂失）' }];
    return def.steps;
  }

  /** A lost phone: its certificate goes on hold as soon as the replacement is requested. */
  private async holdForReplacement(request: RequestRecord, admin: AdminRecord, now: number): Promise<void> {
    const serial = request.payload.serial as string;
    if (this.d.pki.certificate(serial).status !== 'good') return; // already on hold (or revoked: the approval will say)
    await this.d.audit.asAdminAsync(admin, 'certificate.hold', serial, (record) => this.holdLost(request, now, record));
  }

  /** Hold a replacement's certificate; in the same transaction `recorded` writes its audit entry and the request notes it. */
  private holdLost(request: RequestRecord, now: number, recorded: (details: Record<string, unknown>) => void) {
    return this.d.pki.setRevocation(request.payload.serial as string, { action: 'hold' }, new Date(now), () => {
      recorded({ request: request.id, lostPhone: true });
      request.result = { held: true };
      this.d.store.workflows.updateRequest(request);
    });
  }

  /**
   * Withdraw a pending request (its applicant or a sysadmin). A replacement withdrawn because the
   * phone was found releases the hold it put on the certificate.
   */
  async cancel(id: string, admin: AdminRecord, reason: string, now = Date.now()): Promise<RequestRecord> {
    const request = this.get(id);
    this.expireIfDue(request, now);
    const r = this.get(id);
    if (r.status !== 'pending') throw new CloudError('REQUEST_CLOSED', 409, `申请已结束（${r.status}）`, `the request is ${r.status}`);
    if (r.applicant !== admin.username && admin.role !== 'sysadmin') throw Errors.forbidden({ zh: '只有申请人或系统管理员可以撤回申请', en: 'only the applicant or a sysadmin withdraws a request' });
    const cancelled: RequestRecord = { ...r, status: 'cancelled', decidedAt: now };
    this.d.audit.asAdmin(admin, 'request.cancel', id, () => {
      this.d.store.workflows.updateRequest(cancelled);
      this.event(cancelled, 'cancelled', now, { by: admin.username, reason });
    }, () => ({ operation: r.operation, reason }));
    const serial = r.payload.serial as string | undefined;
    if (r.operation === 'replace' && r.result?.held && serial && this.d.pki.certificate(serial).status === 'hold')
      await this.d.audit.asAdminAsync(admin, 'certificate.release', serial, (record) =>
        this.d.pki.setRevocation(serial, { action: 'release' }, new Date(now), () => record({ request: id, phoneFound: true })),
      );
    return cancelled;
  }

  /** An approver's decision on the request's current step. */
  async decide(id: string, admin: AdminRecord, decision: 'approve' | 'reject', reason: string | undefined, now = Date.now()): Promise<Completed> {
    let request = this.get(id);
    this.expireIfDue(request, now);
    request = this.get(id);
    if (request.status !== 'pending') throw new CloudError('REQUEST_CLOSED', 409, `申请已结束（${request.status}）`, `the request is ${request.status}`);
    const steps = this.stepsOf(request);
    const step = steps[request.step];
    if (!step) throw new CloudError('REQUEST_CLOSED', 409, '申请没有待审批的步骤', 'the request has no step to decide');
    if (admin.username === request.applicant) throw new CloudError('SELF_APPROVAL', 403, '不能审批自己提交的申请', 'you cannot decide on your own request');
    if (this.d.store.workflows.decisions(id).some((x) => x.admin === admin.username))
      throw new CloudError('DUPLICATE_APPROVER', 403, '同一申请的不同步骤须由不同的人审批', 'each step of a request needs a different approver');
    if (admin.role !== step.role) throw Errors.forbidden({ zh: `此步骤须由 ${step.role} 审批`, en: `this step needs the ${step.role} role` });
    if (step.departmentScope && (!request.department || !(admin.departments).includes(request.department)))
      throw Errors.forbidden({ zh: `此步骤须由 ${request.department ?? '该'} 科室的审批人审批`, en: `this step needs an approver of the department ${request.department ?? '(none)'}` });
    if (decision === 'reject' && !reason) throw Errors.badRequest({ zh: '驳回须填写原因', en: 'a rejection needs a reason' });

    const decided: DecisionRecord = { requestId: id, step: request.step, admin: admin.username, decision, reason: reason ?? null, at: now };
    const next: RequestRecord =
      decision === 'reject' ? { ...request, status: 'rejected', decidedAt: now } : { ...request, step: request.step + 1 };
    this.d.audit.asAdmin(admin, decision === 'reject' ? 'request.reject' : 'request.approve', id, () => {
      this.d.store.workflows.insertDecision(decided);
      this.d.store.workflows.updateRequest(next);
      this.event(next, decision === 'reject' ? 'rejected' : 'step_approved', now, { step: request.step, by: admin.username, ...(reason ? { reason } : {}) });
    }, () => ({ operation: request.operation, step: request.step, ...(reason ? { reason } : {}) }));
    if (decision === 'approve' && next.step >= steps.length) return this.execute(next, admin, now);
    return { request: next };
  }

  /**
   * Bulk import of staff from CSV: all rows or none (row-level errors otherwise). With `apply`,
   * an application (apply request) per imported staff member follows, through the workflow:
   * auto-approved, each brings its activation code, shown once in this answer.
   */
  async importStaff(csv: string, admin: AdminRecord, apply?: { algorithm: 'sm2' | 'rsa-2048' | 'rsa-1024'; templateId?: string | undefined }) {
    const { imported, errors } = this.d.audit.asAdmin(admin, 'staff.import', undefined, () => importStaff(csv, this.d.store, (row) => this.d.enrollment.createStaff(row)), (r) => ({ imported: r.imported.length, errors: r.errors.length, employeeNos: r.imported.slice(0, 20).map((x) => x.employeeNo) }));
    const requests: { employeeNo: string; request?: RequestRecord; activation?: Completed['activation']; error?: string }[] = [];
    if (apply && errors.length === 0)
      for (const st of imported) {
        try {
          const done = await this.submit({ operation: 'apply', staffId: st.id, algorithm: apply.algorithm, ...(apply.templateId ? { templateId: apply.templateId } : {}) }, admin);
          requests.push({ employeeNo: st.employeeNo, request: done.request, activation: done.activation });
        } catch (err) {
          requests.push({ employeeNo: st.employeeNo, error: err instanceof CloudError ? err.code : 'ERROR' });
        }
      }
    return { imported, errors: errors as ImportError[], requests };
  }

  get(id: string): RequestRecord {
    const r = this.d.store.workflows.request(id);
    if (!r) throw Errors.notFound({ zh: '没有这个申请', en: 'no such request' });
    return r;
  }

  decisions(id: string): DecisionRecord[] {
    return this.d.store.workflows.decisions(id);
  }

  list(q: RequestQuery, now = Date.now()): RequestRecord[] {
    this.sweep(now);
    return this.d.store.workflows.requests(q);
  }

  events(afterId: number, limit: number): WorkflowEventRecord[] {
    return this.d.store.workflows.events(afterId, limit);
  }

  /** Expire the pending requests whose time is up. */
  sweep(now = Date.now()): number {
    const due = this.d.store.workflows.expiredPending(now);
    for (const r of due) this.expireIfDue(r, now);
    return due.length;
  }

  private expireIfDue(r: RequestRecord, now: number): void {
    if (r.status !== 'pending' || r.expiresAt > now) return;
    const expired: RequestRecord = { ...r, status: 'expired', decidedAt: now };
    this.d.store.transaction(() => {
      this.d.store.workflows.updateRequest(expired);
      this.event(expired, 'expired', now, {});
      this.d.audit.record({ actorType: 'system', actor: 'workflow', action: 'request.expire', target: r.id, result: 'ok', details: { operation: r.operation } });
    });
  }

  private event(r: RequestRecord, type: WorkflowEventType, at: number, data: Record<string, unknown>): void {
    this.d.store.workflows.insertEvent({ requestId: r.id, type, operation: r.operation, department: r.department, at, data });
  }

  /** Who a request is about, and what the operation needs; checks that the subject exists. */
  private describe(input: RequestInput): { department: string | null; subject: string; payload: Record<string, unknown> } {
    const { operation: _op, ...payload } = input as RequestInput & Record<string, unknown>;
    if (input.operation === 'emergency') {
      const { staff, agent } = this.d.emergency!.check(input);
      return { department: staff.department, subject: `${staff.name} (${staff.employeeNo}) 应急 ${input.hours} h @ ${agent.name}`, payload };
    }
    if (input.operation === 'apply') {
      const staff = this.d.store.staff.get(input.staffId);
      if (!staff) throw Errors.notFound({ zh: '没有这位医务人员', en: 'no such staff member' });
      return { department: staff.department, subject: `${staff.name} (${staff.employeeNo})`, payload };
    }
    const serial = (payload as { serial: string }).serial;
    const cert = this.d.pki.certificate(serial);
    const staff = cert.staffId ? this.d.store.staff.get(cert.staffId) : undefined;
    return { department: staff?.department ?? null, subject: staff ? `${staff.name} (${staff.employeeNo}) ${serial}` : serial, payload };
  }

  /** Run an approved request's operation; the request records the outcome either way. */
  private async execute(request: RequestRecord, actor: AdminRecord, now: number): Promise<Completed> {
    const p = request.payload as Record<string, unknown> & { serial?: string };
    const finish = (result: Record<string, unknown>) => {
      const done: RequestRecord = { ...request, status: 'executed', decidedAt: now, result };
      this.d.store.workflows.updateRequest(done);
      this.event(done, 'executed', now, result);
      return done;
    };
    try {
      switch (request.operation) {
        case 'apply': {
          let activation: Completed['activation'];
          const done = this.d.audit.asAdmin(actor, 'enrollment.create', p.staffId as string, () => {
            const e = this.d.enrollment.createEnrollment(p.staffId as string, p.algorithm as 'sm2' | 'rsa-2048' | 'rsa-1024', undefined, undefined, p.templateId as string | undefined);
            activation = activationFor(this.d.pki, e, p.algorithm as string);
            return finish({ enrollmentId: e.enrollment.id, expiresAt: activation.expiresAt, template: e.template });
          }, () => ({ request: request.id, algorithm: p.algorithm }));
          return { request: done, activation };
        }
        case 'revoke':
        case 'hold':
        case 'release': {
          const op = request.operation;
          const change = op === 'revoke' ? { action: 'revoke' as const, reason: p.reason as number } : { action: op };
          let done: RequestRecord | undefined;
          await this.d.audit.asAdminAsync(actor, `certificate.${op}`, p.serial, (record) =>
            this.d.pki.setRevocation(p.serial!, change, new Date(now), (c) => {
              record({ request: request.id, was: c.status, ...(op === 'revoke' ? { reason: p.reason } : {}) });
              done = finish({ serial: c.serial, was: c.status });
            }),
          );
          return { request: done ?? this.get(request.id) };
        }
        case 'replace': {
          const old = this.d.pki.certificate(p.serial!);
          if (old.status === 'revoked') throw Errors.certRevoked();
          await this.d.audit.asAdminAsync(actor, 'certificate.revoke', old.serial, (record) =>
            this.d.pki.setRevocation(old.serial, { action: 'revoke', reason: p.revocationReason as number }, new Date(now), () =>
              record({ request: request.id, reason: p.revocationReason, lostPhone: true }),
            ),
          );
          if (!old.staffId) throw Errors.conflict({ zh: '证书没有对应的医务人员', en: 'the certificate has no staff member' });
          const algorithm = (p.algorithm as 'sm2' | 'rsa-2048' | 'rsa-1024' | undefined) ?? algorithmOf(old.der);
          let activation: Completed['activation'];
          const done = this.d.audit.asAdmin(actor, 'enrollment.create', old.staffId, () => {
            const e = this.d.enrollment.createEnrollment(old.staffId!, algorithm);
            activation = activationFor(this.d.pki, e, algorithm);
            return finish({ held: true, revoked: old.serial, revocationReason: p.revocationReason, replacedBy: { enrollmentId: e.enrollment.id, algorithm }, expiresAt: activation.expiresAt });
          }, () => ({ request: request.id, replaces: old.serial, algorithm }));
          return { request: done, activation };
        }
        case 'renew': // the phone re-keys itself on its next attempt (renewalGate)
          return { request: this.d.audit.asAdmin(actor, 'renewal.approve', p.serial, () => finish({ serial: p.serial, approved: true }), () => ({ request: request.id })) };
        case 'pin_unlock': {
          const done = this.d.audit.asAdmin(actor, 'key.unlock', p.serial, () => (this.d.sessions.unlock(p.serial!), finish({ serial: p.serial, identityCheck: p.identityCheck })), () => ({ request: request.id, identityCheck: p.identityCheck }));
          return { request: done };
        }
        case 'emergency': {
          // the grant and its audit entry commit with the request's outcome; the password goes to this answer only
          let emergency: EmergencyIssued | undefined;
          const done = this.d.store.transaction(() => {
            emergency = this.d.emergency!.create({ staffId: p.staffId as string, agentId: p.agentId as string, hours: p.hours as number, note: p.note as string | undefined }, actor, request.id);
            return finish({ grantId: emergency.grantId, staffId: emergency.staffId, agentId: emergency.agentId, validFrom: emergency.validFrom, validTo: emergency.validTo });
          });
          return { request: done, emergency };
        }
        default:
          throw new CloudError('NOT_SUPPORTED', 501, '尚未实现', 'not implemented');
      }
    } catch (err) {
      const code = err instanceof CloudError ? err.code : 'ERROR';
      const failed: RequestRecord = { ...request, status: 'failed', decidedAt: now, error: code };
      this.d.store.transaction(() => {
        this.d.store.workflows.updateRequest(failed);
        this.event(failed, 'failed', now, { code });
      });
      return { request: failed };
    }
  }
}
