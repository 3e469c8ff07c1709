/** The embedded store: better-sqlite3 (v12) with WAL, foreign keys and versioned migrations. */
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
import { sqliteNotificationRepository, sqliteReportRepository } from './reports-sqlite.js';
import { sqliteAdminRepository, sqliteSettingRepository } from './admin-sqlite.js';
import { sqliteAuditRepository } from './audit-sqlite.js';
import { sqliteTemplateRepository } from './templates-sqlite.js';
import { sqliteWorkflowRepository } from './workflows-sqlite.js';
import { sqliteEmergencyRepository } from './emergency-sqlite.js';
import type {
  CaRecord,
  CertificateRecord,
  CertificateStatus,
  CrlRecord,
  DeviceRecord,
  EnrollmentRecord,
  KeyShareRecord,
  CosignSessionRecord,
  StaffRecord,
  Store,
} from './repositories.js';

type Row = Record<string, unknown>;
const blob = (v: unknown): Uint8Array | null => (v ? new Uint8Array(v as Buffer) : null);
const buf = (v: Uint8Array | null): Buffer | null => (v ? Buffer.from(v) : null);

const staffRow = (r: Row): StaffRecord => ({
  id: r.id as string,
  employeeNo: r.employee_no as string,
  name: r.name as string,
  department: r.department as string,
  title: (r.title as string | null) ?? null,
  licenceNo: (r.licence_no as string | null) ?? null,
  idNumber: (r.id_number as string | null) ?? null,
  mobile: (r.mobile as string | null) ?? null,
  createdAt: r.created_at as number,
});
const deviceRow = (r: Row): DeviceRecord => ({ id: r.id as string, staffId: r.staff_id as string, publicKey: blob(r.public_key)!, createdAt: r.created_at as number, status: r.status as DeviceRecord['status'] });
const enrollmentRow = (r: Row): EnrollmentRecord => ({
  id: r.id as string,
  staffId: r.staff_id as string,
  algorithm: r.algorithm as EnrollmentRecord['algorithm'],
  codeHash: r.code_hash as string,
  expiresAt: r.expires_at as number,
  status: r.status as EnrollmentRecord['status'],
  deviceId: (r.device_id as string | null) ?? null,
  sealedState: blob(r.sealed_state),
  csrInfoHash: (r.csr_info_hash as string | null) ?? null,
  createdAt: r.created_at as number,
  renewsSerial: (r.renews_serial as string | null) ?? null,
  templateId: (r.template_id as string | null) ?? null,
});
const sessionRow = (r: Row): CosignSessionRecord => ({
  id: r.id as string,
  kind: r.kind as CosignSessionRecord['kind'],
  agentId: r.agent_id as string,
  staffId: (r.staff_id as string | null) ?? null,
  shareId: (r.share_id as string | null) ?? null,
  userSessionId: (r.user_session_id as string | null) ?? null,
  hash: r.hash as CosignSessionRecord['hash'],
  digests: JSON.parse(r.digests as string) as string[],
  app: r.app as string,
  summaries: JSON.parse(r.summaries as string) as string[],
  workstation: r.workstation as string,
  verificationCode: r.verification_code as string,
  status: r.status as CosignSessionRecord['status'],
  answered: (r.answered as number) === 1,
  result: r.result ? (JSON.parse(r.result as string) as string[]) : null,
  createdAt: r.created_at as number,
  expiresAt: r.expires_at as number,
  endedAt: (r.ended_at as number | null) ?? null,
});
const sessionParams = (r: CosignSessionRecord) => ({
  ...r,
  digests: JSON.stringify(r.digests),
  summaries: JSON.stringify(r.summaries),
  answered: r.answered ? 1 : 0,
  result: r.result ? JSON.stringify(r.result) : null,
});

const shareRow = (r: Row): KeyShareRecord => ({
  id: r.id as string,
  staffId: r.staff_id as string,
  deviceId: r.device_id as string,
  algorithm: r.algorithm as KeyShareRecord['algorithm'],
  sealedShare: blob(r.sealed_share),
  publicKey: blob(r.public_key)!,
  certificateSerial: (r.certificate_serial as string | null) ?? null,
  status: r.status as KeyShareRecord['status'],
  failures: r.failures as number,
  createdAt: r.created_at as number,
});

const bytes = (b: Buffer | Uint8Array): Uint8Array => new Uint8Array(b);

export function openSqliteStore(path: string): Store {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const caRow = (r: Record<string, unknown>): CaRecord => ({
    name: r.name as string,
    algorithm: r.algorithm as CaRecord['algorithm'],
    role: r.role as CaRecord['role'],
    certificate: bytes(r.certificate as Buffer),
    sealedKey: bytes(r.sealed_key as Buffer),
    createdAt: r.created_at as number,
  });
  const certRow = (r: Record<string, unknown>): CertificateRecord => ({
    serial: r.serial as string,
    caName: r.ca_name as string,
    sha256: r.sha256 as string,
    der: bytes(r.der as Buffer),
    subject: r.subject as string,
    staffId: (r.staff_id as string | null) ?? null,
    notBefore: r.not_before as number,
    notAfter: r.not_after as number,
    status: r.status as CertificateStatus,
    revokedAt: (r.revoked_at as number | null) ?? null,
    reason: (r.reason as number | null) ?? null,
    templateId: (r.template_id as string | null) ?? null,
    templateVersion: (r.template_version as number | null) ?? null,
  });

  const q = {
    caGet: db.prepare('SELECT * FROM ca WHERE name = ?'),
    caList: db.prepare('SELECT * FROM ca ORDER BY created_at, name'),
    caInsert: db.prepare('INSERT INTO ca (name, algorithm, role, certificate, sealed_key, created_at) VALUES (@name, @algorithm, @role, @certificate, @sealedKey, @createdAt)'),
    certInsert: db.prepare(
      'INSERT INTO certificate (serial, ca_name, sha256, der, subject, staff_id, not_before, not_after, status, revoked_at, reason, template_id, template_version) VALUES (@serial, @caName, @sha256, @der, @subject, @staffId, @notBefore, @notAfter, @status, @revokedAt, @reason, @templateId, @templateVersion)',
    ),
    certGet: db.prepare('SELECT * FROM certificate WHERE serial = ?'),
    certRevoked: db.prepare("SELECT * FROM certificate WHERE ca_name = ? AND status IN ('revoked', 'hold') ORDER BY revoked_at, serial"),
    certStatus: db.prepare('UPDATE certificate SET status = ?, revoked_at = ?, reason = ? WHERE serial = ?'),
    crlGet: db.prepare('SELECT * FROM crl WHERE ca_name = ?'),
    crlPut: db.prepare(
      'INSERT INTO crl (ca_name, number, der, this_update, next_update) VALUES (@caName, @number, @der, @thisUpdate, @nextUpdate) ON CONFLICT(ca_name) DO UPDATE SET number = excluded.number, der = excluded.der, this_update = excluded.this_update, next_update = excluded.next_update',
    ),
    staffInsert: db.prepare(
      'INSERT INTO staff (id, employee_no, name, department, title, licence_no, id_number, mobile, created_at) VALUES (@id, @employeeNo, @name, @department, @title, @licenceNo, @idNumber, @mobile, @createdAt)',
    ),
    staffGet: db.prepare('SELECT * FROM staff WHERE id = ?'),
    staffByNo: db.prepare('SELECT * FROM staff WHERE employee_no = ?'),
    deviceInsert: db.prepare('INSERT INTO device (id, staff_id, public_key, created_at, status) VALUES (@id, @staffId, @publicKey, @createdAt, @status)'),
    deviceGet: db.prepare('SELECT * FROM device WHERE id = ?'),
    nonceInsert: db.prepare('INSERT OR IGNORE INTO device_nonce (device_id, nonce, expires_at) VALUES (?, ?, ?)'),
    nonceExpire: db.prepare('DELETE FROM device_nonce WHERE expires_at < ?'),
    enrollmentInsert: db.prepare(
      'INSERT INTO enrollment (id, staff_id, algorithm, code_hash, expires_at, status, device_id, sealed_state, csr_info_hash, created_at, renews_serial, template_id) VALUES (@id, @staffId, @algorithm, @codeHash, @expiresAt, @status, @deviceId, @sealedState, @csrInfoHash, @createdAt, @renewsSerial, @templateId)',
    ),
    enrollmentGet: db.prepare('SELECT * FROM enrollment WHERE id = ?'),
    enrollmentByCode: db.prepare('SELECT * FROM enrollment WHERE code_hash = ?'),
    enrollmentUpdate: db.prepare('UPDATE enrollment SET status = @status, device_id = @deviceId, sealed_state = @sealedState, csr_info_hash = @csrInfoHash WHERE id = @id'),
    shareInsert: db.prepare(
      'INSERT INTO key_share (id, staff_id, device_id, algorithm, sealed_share, public_key, certificate_serial, status, failures, created_at) VALUES (@id, @staffId, @deviceId, @algorithm, @sealedShare, @publicKey, @certificateSerial, @status, @failures, @createdAt)',
    ),
    shareGet: db.prepare('SELECT * FROM key_share WHERE id = ?'),
    serviceKeyGet: db.prepare('SELECT * FROM service_key WHERE name = ?'),
    serviceKeyInsert: db.prepare('INSERT INTO service_key (name, spki, sealed_key, created_at) VALUES (@name, @spki, @sealedKey, @createdAt)'),
    shareCurrent: db.prepare("SELECT * FROM key_share WHERE staff_id = ? AND status IN ('active', 'locked') ORDER BY created_at DESC LIMIT 1"),
    agentInsert: db.prepare('INSERT INTO agent (id, name, credential_hash, created_at) VALUES (@id, @name, @credentialHash, @createdAt)'),
    agentGet: db.prepare('SELECT * FROM agent WHERE id = ?'),
    agentByCred: db.prepare('SELECT * FROM agent WHERE credential_hash = ?'),
    agentTokenInsert: db.prepare('INSERT INTO agent_token (token_hash, expires_at) VALUES (?, ?)'),
    agentTokenUse: db.prepare('UPDATE agent_token SET used_by = ? WHERE token_hash = ? AND used_by IS NULL AND expires_at > ?'),
    userSessionInsert: db.prepare(
      'INSERT INTO user_session (id, token_hash, agent_id, staff_id, share_id, created_at, expires_at, ended_at) VALUES (@id, @tokenHash, @agentId, @staffId, @shareId, @createdAt, @expiresAt, @endedAt)',
    ),
    userSessionByToken: db.prepare('SELECT * FROM user_session WHERE token_hash = ?'),
    userSessionEnd: db.prepare('UPDATE user_session SET ended_at = ? WHERE id = ? AND ended_at IS NULL'),
    sessionInsert: db.prepare(
      'INSERT INTO cosign_session (id, kind, agent_id, staff_id, share_id, user_session_id, hash, digests, app, summaries, workstation, verification_code, status, answered, result, created_at, expires_at, ended_at) VALUES (@id, @kind, @agentId, @staffId, @shareId, @userSessionId, @hash, @digests, @app, @summaries, @workstation, @verificationCode, @status, @answered, @result, @createdAt, @expiresAt, @endedAt)',
    ),
    sessionGet: db.prepare('SELECT * FROM cosign_session WHERE id = ?'),
    sessionUpdate: db.prepare(
      'UPDATE cosign_session SET staff_id = @staffId, share_id = @shareId, user_session_id = @userSessionId, hash = @hash, digests = @digests, verification_code = @verificationCode, status = @status, answered = @answered, result = @result, ended_at = @endedAt WHERE id = @id',
    ),
    sessionOpenForStaff: db.prepare("SELECT * FROM cosign_session WHERE staff_id = ? AND status IN ('PENDING', 'COSIGNING') ORDER BY created_at"),
    sessionOpenForShare: db.prepare("SELECT * FROM cosign_session WHERE share_id = ? AND status IN ('PENDING', 'COSIGNING')"),
    sessionExpired: db.prepare("SELECT * FROM cosign_session WHERE status IN ('PENDING', 'COSIGNING') AND expires_at <= ?"),
    shareByCert: db.prepare('SELECT * FROM key_share WHERE certificate_serial = ?'),
    shareUpdate: db.prepare('UPDATE key_share SET sealed_share = @sealedShare, certificate_serial = @certificateSerial, status = @status, failures = @failures WHERE id = @id'),
  };
  const one = <T>(stmt: Database.Statement, map: (r: Row) => T, ...args: unknown[]): T | undefined => {
    const r = stmt.get(...args) as Row | undefined;
    return r ? map(r) : undefined;
  };

  return {
    reports: sqliteReportRepository(db),
    notifications: sqliteNotificationRepository(db),
    serviceKeys: {
      get: (name) => one(q.serviceKeyGet, (r) => ({ name: r.name as string, spki: blob(r.spki)!, sealedKey: blob(r.sealed_key)!, createdAt: r.created_at as number }), name),
      insert: (r) => void q.serviceKeyInsert.run({ ...r, spki: Buffer.from(r.spki), sealedKey: Buffer.from(r.sealedKey) }),
    },
    agents: {
      insert: (r) => void q.agentInsert.run(r),
      get: (id) => one(q.agentGet, (r) => ({ id: r.id as string, name: r.name as string, credentialHash: r.credential_hash as string, createdAt: r.created_at as number }), id),
      getByCredential: (h) => one(q.agentByCred, (r) => ({ id: r.id as string, name: r.name as string, credentialHash: r.credential_hash as string, createdAt: r.created_at as number }), h),
      insertToken: (h, exp) => void q.agentTokenInsert.run(h, exp),
      useToken: (h, agentId, now) => q.agentTokenUse.run(agentId, h, now).changes === 1,
    },
    userSessions: {
      insert: (r) => void q.userSessionInsert.run(r),
      getByToken: (h) =>
        one(q.userSessionByToken, (r) => ({
          id: r.id as string,
          tokenHash: r.token_hash as string,
          agentId: r.agent_id as string,
          staffId: r.staff_id as string,
          shareId: r.share_id as string,
          createdAt: r.created_at as number,
          expiresAt: r.expires_at as number,
          endedAt: (r.ended_at as number | null) ?? null,
        }), h),
      end: (id, at) => void q.userSessionEnd.run(at, id),
    },
    sessions: {
      insert: (r) => void q.sessionInsert.run(sessionParams(r)),
      get: (id) => one(q.sessionGet, sessionRow, id),
      update: (r) => void q.sessionUpdate.run(sessionParams(r)),
      openForStaff: (staffId) => (q.sessionOpenForStaff.all(staffId) as Row[]).map(sessionRow),
      openForShare: (shareId) => (q.sessionOpenForShare.all(shareId) as Row[]).map(sessionRow),
      expired: (now) => (q.sessionExpired.all(now) as Row[]).map(sessionRow),
    },
    staff: {
      insert: (r) => void q.staffInsert.run(r),
      get: (id) => one(q.staffGet, staffRow, id),
      getByEmployeeNo: (no) => one(q.staffByNo, staffRow, no),
    },
    devices: {
      insert: (r) => void q.deviceInsert.run({ ...r, publicKey: Buffer.from(r.publicKey) }),
      get: (id) => one(q.deviceGet, deviceRow, id),
      useNonce: (deviceId, nonce, expiresAt, now) => {
        q.nonceExpire.run(now);
        return q.nonceInsert.run(deviceId, nonce, expiresAt).changes === 1;
      },
    },
    enrollments: {
      insert: (r) => void q.enrollmentInsert.run({ ...r, sealedState: buf(r.sealedState), templateId: r.templateId ?? null }),
      get: (id) => one(q.enrollmentGet, enrollmentRow, id),
      getByCodeHash: (h) => one(q.enrollmentByCode, enrollmentRow, h),
      update: (r) => void q.enrollmentUpdate.run({ id: r.id, status: r.status, deviceId: r.deviceId, sealedState: buf(r.sealedState), csrInfoHash: r.csrInfoHash }),
    },
    shares: {
      insert: (r) => void q.shareInsert.run({ ...r, sealedShare: buf(r.sealedShare), publicKey: Buffer.from(r.publicKey) }),
      get: (id) => one(q.shareGet, shareRow, id),
      currentForStaff: (staffId) => one(q.shareCurrent, shareRow, staffId),
      getByCertificate: (serial) => one(q.shareByCert, shareRow, serial),
      update: (r) => void q.shareUpdate.run({ id: r.id, sealedShare: buf(r.sealedShare), certificateSerial: r.certificateSerial, status: r.status, failures: r.failures }),
    },
    cas: {
      get: (name) => {
        const r = q.caGet.get(name) as Record<string, unknown> | undefined;
        return r ? caRow(r) : undefined;
      },
      list: () => (q.caList.all() as Record<string, unknown>[]).map(caRow),
      insert: (r) => void q.caInsert.run({ ...r, certificate: Buffer.from(r.certificate), sealedKey: Buffer.from(r.sealedKey) }),
    },
    certificates: {
      insert: (r) => void q.certInsert.run({ ...r, der: Buffer.from(r.der), templateId: r.templateId ?? null, templateVersion: r.templateVersion ?? null }),
      get: (serial) => {
        const r = q.certGet.get(serial) as Record<string, unknown> | undefined;
        return r ? certRow(r) : undefined;
      },
      listRevoked: (caName) => (q.certRevoked.all(caName) as Record<string, unknown>[]).map(certRow),
      setStatus: (serial, status, revokedAt, reason) => void q.certStatus.run(status, revokedAt, reason, serial),
    },
    crls: {
      get: (caName) => {
        const r = q.crlGet.get(caName) as Record<string, unknown> | undefined;
        return r
          ? { caName, number: BigInt(r.number as string), der: bytes(r.der as Buffer), thisUpdate: r.this_update as number, nextUpdate: r.next_update as number }
          : undefined;
      },
      put: (r: CrlRecord) => void q.crlPut.run({ ...r, number: r.number.toString(), der: Buffer.from(r.der) }),
    },
    admins: sqliteAdminRepository(db),
    settings: sqliteSettingRepository(db),
    audit: sqliteAuditRepository(db),
    templates: sqliteTemplateRepository(db),
    workflows: sqliteWorkflowRepository(db),
    emergency: sqliteEmergencyRepository(db), // issue 7: emergency certificates (migration 15)
    transaction: (fn) => db.transaction(fn)(),
    close: () => db.close(),
  };
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migration').all() as { version: number }[]).map((r) => r.version));
  // in version order (modules of issue 7 appended theirs in the order they were written)
  for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    })();
  }
}
