/** Emergency grants and their co-sign rounds in SQLite (tables from migration 15; see domain/emergency.ts). */
import type Database from 'better-sqlite3';
import type { EmergencyGrantRecord, EmergencyQuery, EmergencyRepository, EmergencySessionRecord } from '../domain/emergency.js';

type Row = Record<string, unknown>;
const blob = (v: unknown): Uint8Array | null => (v ? new Uint8Array(v as Buffer) : null);
const buf = (v: Uint8Array | null): Buffer | null => (v ? Buffer.from(v) : null);

const grantRow = (r: Row): EmergencyGrantRecord => ({
  id: r.id as string,
  staffId: r.staff_id as string,
  agentId: r.agent_id as string,
  algorithm: r.algorithm as 'sm2',
  requestId: (r.request_id as string | null) ?? null,
  createdBy: r.created_by as string,
  createdAt: r.created_at as number,
  validFrom: r.valid_from as number,
  validTo: r.valid_to as number,
  passwordHash: r.password_hash as string,
  failures: r.failures as number,
  status: r.status as EmergencyGrantRecord['status'],
  sealedState: blob(r.sealed_state),
  sealedStateKind: (r.sealed_state_kind as EmergencyGrantRecord['sealedStateKind']) ?? null,
  sealedUnlockKey: blob(r.sealed_unlock_key),
  publicKey: blob(r.public_key),
  certificateSerial: (r.certificate_serial as string | null) ?? null,
  sessionTokenHash: (r.session_token_hash as string | null) ?? null,
  keygenAt: (r.keygen_at as number | null) ?? null,
  activatedAt: (r.activated_at as number | null) ?? null,
  endedAt: (r.ended_at as number | null) ?? null,
  endReason: (r.end_reason as string | null) ?? null,
  note: (r.note as string | null) ?? null,
});
const grantParams = (g: EmergencyGrantRecord) => ({ ...g, sealedState: buf(g.sealedState), sealedUnlockKey: buf(g.sealedUnlockKey), publicKey: buf(g.publicKey) });

const sessionRow = (r: Row): EmergencySessionRecord => ({
  id: r.id as string,
  grantId: r.grant_id as string,
  digests: JSON.parse(r.digests as string) as string[],
  app: r.app as string,
  summaries: JSON.parse(r.summaries as string) as string[],
  workstation: r.workstation as string,
  status: r.status as EmergencySessionRecord['status'],
  createdAt: r.created_at as number,
  expiresAt: r.expires_at as number,
  endedAt: (r.ended_at as number | null) ?? null,
});
const sessionParams = (s: EmergencySessionRecord) => ({ ...s, digests: JSON.stringify(s.digests), summaries: JSON.stringify(s.summaries) });

const COLUMNS = `id, staff_id, agent_id, algorithm, request_id, created_by, created_at, valid_from, valid_to, password_hash, failures, status,
  sealed_state, sealed_state_kind, sealed_unlock_key, public_key, certificate_serial, session_token_hash, keygen_at, activated_at, ended_at, end_reason, note`;
const VALUES = `@id, @staffId, @agentId, @algorithm, @requestId, @createdBy, @createdAt, @validFrom, @validTo, @passwordHash, @failures, @status,
  @sealedState, @sealedStateKind, @sealedUnlockKey, @publicKey, @certificateSerial, @sessionTokenHash, @keygenAt, @activatedAt, @endedAt, @endReason, @note`;

export function sqliteEmergencyRepository(db: Database.Database): EmergencyRepository {
  const q = {
    insert: db.prepare(`INSERT INTO emergency_grant (${COLUMNS}) VALUES (${VALUES})`),
    update: db.prepare(`UPDATE emergency_grant SET failures = @failures, status = @status, sealed_state = @sealedState, sealed_state_kind = @sealedStateKind,
      sealed_unlock_key = @sealedUnlockKey, public_key = @publicKey, certificate_serial = @certificateSerial, session_token_hash = @sessionTokenHash,
      keygen_at = @keygenAt, activated_at = @activatedAt, ended_at = @endedAt, end_reason = @endReason WHERE id = @id`),
    get: db.prepare('SELECT * FROM emergency_grant WHERE id = ?'),
    bySerial: db.prepare('SELECT * FROM emergency_grant WHERE certificate_serial = ?'),
    byToken: db.prepare('SELECT * FROM emergency_grant WHERE session_token_hash = ?'),
    liveForStaff: db.prepare("SELECT * FROM emergency_grant WHERE staff_id = ? AND status IN ('issued', 'keygen', 'active') ORDER BY created_at DESC"),
    live: db.prepare("SELECT * FROM emergency_grant WHERE status IN ('issued', 'keygen', 'active')"),
    insertSession: db.prepare('INSERT INTO emergency_session (id, grant_id, digests, app, summaries, workstation, status, created_at, expires_at, ended_at) VALUES (@id, @grantId, @digests, @app, @summaries, @workstation, @status, @createdAt, @expiresAt, @endedAt)'),
    updateSession: db.prepare('UPDATE emergency_session SET status = @status, ended_at = @endedAt WHERE id = @id'),
    session: db.prepare('SELECT * FROM emergency_session WHERE id = ?'),
    expiredSessions: db.prepare("SELECT * FROM emergency_session WHERE status = 'COSIGNING' AND expires_at <= ?"),
    workstations: db.prepare('SELECT id, name, created_at FROM agent ORDER BY name, id LIMIT 5000'),
  };
  return {
    insert: (g) => void q.insert.run(grantParams(g)),
    update: (g) => void q.update.run(grantParams(g)),
    get: (id) => {
      const r = q.get.get(id) as Row | undefined;
      return r ? grantRow(r) : undefined;
    },
    bySerial: (serial) => {
      const r = q.bySerial.get(serial) as Row | undefined;
      return r ? grantRow(r) : undefined;
    },
    bySessionToken: (hash) => {
      const r = q.byToken.get(hash) as Row | undefined;
      return r ? grantRow(r) : undefined;
    },
    liveForStaff: (staffId) => (q.liveForStaff.all(staffId) as Row[]).map(grantRow),
    live: () => (q.live.all() as Row[]).map(grantRow),
    list: (f: EmergencyQuery) => {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (f.status) (where.push('status = @status'), (params.status = f.status));
      if (f.staffId) (where.push('staff_id = @staffId'), (params.staffId = f.staffId));
      if (f.agentId) (where.push('agent_id = @agentId'), (params.agentId = f.agentId));
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM emergency_grant ${w}`).get(params) as { n: number }).n;
      const rows = db.prepare(`SELECT * FROM emergency_grant ${w} ORDER BY created_at DESC, id LIMIT @limit OFFSET @offset`).all({ ...params, limit: f.limit, offset: f.offset }) as Row[];
      return { total, grants: rows.map(grantRow) };
    },
    insertSession: (s) => void q.insertSession.run(sessionParams(s)),
    updateSession: (s) => void q.updateSession.run(sessionParams(s)),
    session: (id) => {
      const r = q.session.get(id) as Row | undefined;
      return r ? sessionRow(r) : undefined;
    },
    expiredSessions: (now) => (q.expiredSessions.all(now) as Row[]).map(sessionRow),
    workstations: () => (q.workstations.all() as Row[]).map((r) => ({ id: r.id as string, name: r.name as string, createdAt: r.created_at as number })),
  };
}
