/** The workflow engine's SQLite repository (tables from migration 14; see domain/workflows.ts). */
import type Database from 'better-sqlite3';
import type { DecisionRecord, RequestQuery, RequestRecord, WorkflowDefinition, WorkflowEventRecord, WorkflowRepository } from '../domain/workflows.js';

type Row = Record<string, unknown>;

const definitionRow = (r: Row): WorkflowDefinition => ({
  operation: r.operation as WorkflowDefinition['operation'],
  steps: JSON.parse(r.steps as string) as WorkflowDefinition['steps'],
  autoApprove: r.auto_approve === 1,
  expiryHours: r.expiry_hours as number,
  updatedAt: r.updated_at as number,
  updatedBy: r.updated_by as string,
});

const requestRow = (r: Row): RequestRecord => ({
  id: r.id as string,
  operation: r.operation as RequestRecord['operation'],
  status: r.status as RequestRecord['status'],
  applicant: r.applicant as string,
  department: (r.department as string | null) ?? null,
  subject: r.subject as string,
  payload: JSON.parse(r.payload as string) as Record<string, unknown>,
  step: r.step as number,
  createdAt: r.created_at as number,
  expiresAt: r.expires_at as number,
  decidedAt: (r.decided_at as number | null) ?? null,
  result: r.result ? (JSON.parse(r.result as string) as Record<string, unknown>) : null,
  error: (r.error as string | null) ?? null,
});

const decisionRow = (r: Row): DecisionRecord => ({
  requestId: r.request_id as string,
  step: r.step as number,
  admin: r.admin as string,
  decision: r.decision as DecisionRecord['decision'],
  reason: (r.reason as string | null) ?? null,
  at: r.at as number,
});

const eventRow = (r: Row): WorkflowEventRecord => ({
  id: r.id as number,
  requestId: r.request_id as string,
  type: r.type as WorkflowEventRecord['type'],
  operation: r.operation as WorkflowEventRecord['operation'],
  department: (r.department as string | null) ?? null,
  at: r.at as number,
  data: JSON.parse(r.data as string) as Record<string, unknown>,
});

export function sqliteWorkflowRepository(db: Database.Database): WorkflowRepository {
  return {
    definition: (operation) => {
      const r = db.prepare('SELECT * FROM workflow WHERE operation = ?').get(operation) as Row | undefined;
      return r ? definitionRow(r) : undefined;
    },
    definitions: () => (db.prepare('SELECT * FROM workflow ORDER BY operation').all() as Row[]).map(definitionRow),
    saveDefinition: (d) => {
      db.prepare(
        `INSERT INTO workflow (operation, steps, auto_approve, expiry_hours, updated_at, updated_by) VALUES (@operation, @steps, @autoApprove, @expiryHours, @updatedAt, @updatedBy)
         ON CONFLICT(operation) DO UPDATE SET steps = excluded.steps, auto_approve = excluded.auto_approve, expiry_hours = excluded.expiry_hours, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      ).run({ ...d, steps: JSON.stringify(d.steps), autoApprove: d.autoApprove ? 1 : 0 });
    },
    insertRequest: (r) => {
      db.prepare(
        `INSERT INTO workflow_request (id, operation, status, applicant, department, subject, payload, step, created_at, expires_at, decided_at, result, error)
         VALUES (@id, @operation, @status, @applicant, @department, @subject, @payload, @step, @createdAt, @expiresAt, @decidedAt, @result, @error)`,
      ).run({ ...r, payload: JSON.stringify(r.payload), result: r.result ? JSON.stringify(r.result) : null });
    },
    updateRequest: (r) => {
      db.prepare('UPDATE workflow_request SET status = @status, step = @step, decided_at = @decidedAt, result = @result, error = @error WHERE id = @id').run({
        id: r.id,
        status: r.status,
        step: r.step,
        decidedAt: r.decidedAt,
        result: r.result ? JSON.stringify(r.result) : null,
        error: r.error,
      });
    },
    request: (id) => {
      const r = db.prepare('SELECT * FROM workflow_request WHERE id = ?').get(id) as Row | undefined;
      return r ? requestRow(r) : undefined;
    },
    requests: (q: RequestQuery) => {
      const where: string[] = [];
      const args: Record<string, unknown> = { limit: q.limit, offset: q.offset };
      if (q.status) (where.push('status = @status'), (args.status = q.status));
      if (q.operation) (where.push('operation = @operation'), (args.operation = q.operation));
      if (q.department) (where.push('department = @department'), (args.department = q.department));
      if (q.applicant) (where.push('applicant = @applicant'), (args.applicant = q.applicant));
      const sql = `SELECT * FROM workflow_request ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT @limit OFFSET @offset`;
      return (db.prepare(sql).all(args) as Row[]).map(requestRow);
    },
    latestForSerial: (operation, serial) => {
      const r = db.prepare("SELECT * FROM workflow_request WHERE operation = ? AND json_extract(payload, '$.serial') = ? ORDER BY created_at DESC, rowid DESC LIMIT 1").get(operation, serial) as Row | undefined;
      return r ? requestRow(r) : undefined;
    },
    expiredPending: (now) => (db.prepare("SELECT * FROM workflow_request WHERE status = 'pending' AND expires_at <= ?").all(now) as Row[]).map(requestRow),
    insertDecision: (d) => {
      db.prepare('INSERT INTO workflow_decision (request_id, step, admin, decision, reason, at) VALUES (@requestId, @step, @admin, @decision, @reason, @at)').run(d);
    },
    decisions: (requestId) => (db.prepare('SELECT * FROM workflow_decision WHERE request_id = ? ORDER BY at, step').all(requestId) as Row[]).map(decisionRow),
    insertEvent: (e) => {
      db.prepare('INSERT INTO workflow_event (request_id, type, operation, department, at, data) VALUES (@requestId, @type, @operation, @department, @at, @data)').run({ ...e, data: JSON.stringify(e.data) });
    },
    events: (afterId, limit) => (db.prepare('SELECT * FROM workflow_event WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as Row[]).map(eventRow),
  };
}
