/**
 * SQLite side of the reports (domain/reports.ts) and expiry reminders (domain/reminders.ts).
 * Reads only, apart from the notification table; indexes and the certificate_event trigger are
 * migration 13. Columns added by other parts of issue 7 (certificate.template_id,
 * template_version) are used when they exist, so these queries work before and after them.
 */
import type Database from 'better-sqlite3';
import type { CertificateFilter, CertificateRow, Paging, ReportRepository, Scope, SignatureFilter, SignatureRow, StaffFilter, StaffRow } from '../domain/reports.js';
import { DAY_MS, EXPIRING_DAYS } from '../domain/reports.js';
import type { NotificationRecord, NotificationRepository, NotificationView } from '../domain/reminders.js';
import { CRL_REASON } from '@medsign/core';

type Row = Record<string, unknown>;

const columnsOf = (db: Database.Database, table: string): Set<string> => new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));

/** The hard cap of an export or an unpaged query: a filter that matches more must be narrowed. */
export const MAX_ROWS = 50_000;

const daysLeft = (notAfter: number | null, now: number) => (notAfter === null ? null : Math.ceil((notAfter - now) / DAY_MS));

export function sqliteReportRepository(db: Database.Database): ReportRepository {
  const certCols = columnsOf(db, 'certificate');
  const enrCols = columnsOf(db, 'enrollment');
  const tpl = (alias: string, cols: Set<string>) => ({
    id: cols.has('template_id') ? `CAST(${alias}.template_id AS TEXT)` : 'NULL',
    version: cols.has('template_version') ? `${alias}.template_version` : 'NULL',
  });
  const ct = tpl('c', certCols);
  const et = tpl('e', enrCols);
  const algorithm = `COALESCE((SELECT k.algorithm FROM key_share k WHERE k.certificate_serial = c.serial LIMIT 1), CASE WHEN c.ca_name LIKE 'sm2-%' THEN 'sm2' ELSE 'rsa' END)`;
  const state = `CASE WHEN c.status = 'revoked' THEN 'revoked' WHEN c.status = 'hold' THEN 'hold' WHEN c.not_after <= @now THEN 'expired' WHEN c.not_after <= @soon THEN 'expiring' ELSE 'valid' END`;
  const scopeSql = (col: string, scope: Scope) => (scope ? ` AND ${col} IN (SELECT value FROM json_each(@scope))` : '');
  const statusSql = (status: string | undefined): string => {
    switch (status) {
      case undefined:
        return '';
      case 'valid':
        return " AND state IN ('valid', 'expiring')";
      case 'expiring30':
      case 'expiring60':
      case 'expiring90':
        return " AND state IN ('valid', 'expiring') AND not_after <= @horizon";
      default:
        return ' AND state = @state';
    }
  };
  const horizonOf = (status: string | undefined, now: number) => (status?.startsWith('expiring') ? now + Number(status.slice(8)) * DAY_MS : now);
  const page = (p: Paging | null) => (p ? { limit: p.pageSize, offset: (p.page - 1) * p.pageSize } : { limit: MAX_ROWS + 1, offset: 0 });

  const certificateSql = (f: CertificateFilter, scope: Scope) => `
    SELECT * FROM (
      SELECT c.serial, NULL AS enrollment_id, s.id AS staff_id, s.employee_no, s.name, s.department, ${algorithm} AS algorithm,
             ${ct.id} AS template_id, ${ct.version} AS template_version, ${state} AS state,
             c.not_before, c.not_after, c.revoked_at, c.reason, c.not_before AS created_at
        FROM certificate c JOIN staff s ON s.id = c.staff_id
      UNION ALL
      SELECT NULL, e.id, s.id, s.employee_no, s.name, s.department, e.algorithm, ${et.id}, ${et.version}, 'pending', NULL, NULL, NULL, NULL, e.created_at
        FROM enrollment e JOIN staff s ON s.id = e.staff_id
       WHERE e.status <> 'completed' AND e.expires_at > @now
    ) WHERE 1 = 1${statusSql(f.status)}${scopeSql('department', scope)}
      ${f.department !== undefined ? ' AND department = @department' : ''}${f.algorithm ? ' AND algorithm = @algorithm' : ''}${f.template !== undefined ? ' AND template_id = @template' : ''}
      ${f.staffId ? ' AND staff_id = @staffId' : ''}${f.employeeNo ? ' AND employee_no = @employeeNo' : ''}
      ${f.issuedFrom !== undefined ? ' AND not_before >= @issuedFrom' : ''}${f.issuedTo !== undefined ? ' AND not_before < @issuedTo' : ''}
      ${f.expiresFrom !== undefined ? ' AND not_after >= @expiresFrom' : ''}${f.expiresTo !== undefined ? ' AND not_after < @expiresTo' : ''}`;

  const staffSql = (f: StaffFilter, scope: Scope) => `
    SELECT * FROM (
      SELECT s.id AS staff_id, s.employee_no, s.name, s.department, s.title, c.serial, c.not_after,
             CASE WHEN c.serial IS NULL THEN (SELECT e.algorithm FROM enrollment e WHERE e.staff_id = s.id ORDER BY e.created_at DESC LIMIT 1) ELSE ${algorithm} END AS algorithm,
             ${ct.id} AS template_id,
             (SELECT count(*) FROM certificate x WHERE x.staff_id = s.id) AS certificates,
             (SELECT count(*) FROM enrollment e WHERE e.staff_id = s.id AND e.status <> 'completed' AND e.expires_at > @now) AS pending,
             CASE WHEN c.serial IS NOT NULL THEN ${state}
                  WHEN EXISTS (SELECT 1 FROM enrollment e WHERE e.staff_id = s.id AND e.status <> 'completed' AND e.expires_at > @now) THEN 'pending'
                  ELSE 'none' END AS state
        FROM staff s
        LEFT JOIN certificate c ON c.serial = (SELECT serial FROM certificate WHERE staff_id = s.id ORDER BY not_before DESC, serial DESC LIMIT 1)
    ) WHERE 1 = 1${f.status === 'pending' ? ' AND pending > 0' : statusSql(f.status)}${scopeSql('department', scope)}
      ${f.department !== undefined ? ' AND department = @department' : ''}${f.algorithm ? ' AND algorithm = @algorithm' : ''}${f.template !== undefined ? ' AND template_id = @template' : ''}
      ${f.q ? " AND (instr(employee_no, @q) > 0 OR instr(name, @q) > 0)" : ''}`;

  const paramsOf = (f: object, scope: Scope, now: number, status: string | undefined) => ({
    ...f,
    now,
    soon: now + EXPIRING_DAYS * DAY_MS,
    horizon: horizonOf(status, now),
    state: status,
    scope: scope ? JSON.stringify(scope) : undefined,
  });
  // better-sqlite3 refuses named parameters the statement does not use: keep only the used ones
  const bind = (sql: string, params: Record<string, unknown>) => Object.fromEntries(Object.entries(params).filter(([k, v]) => v !== undefined && new RegExp(`@${k}\\b`).test(sql)));
  const run = (sql: string, params: Record<string, unknown>, order: string, p: Paging | null) => {
    const total = (db.prepare(`SELECT count(*) AS n FROM (${sql})`).get(bind(sql, params)) as { n: number }).n;
    const paged = `${sql} ORDER BY ${order} LIMIT @limit OFFSET @offset`;
    const rows = db.prepare(paged).all(bind(paged, { ...params, ...page(p) })) as Row[];
    return { total, rows };
  };

  const cache = new Map<string, Database.Statement>();
  const prep = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      if (cache.size < 200) cache.set(sql, s);
    }
    return s;
  };

  const signatureKey: Record<SignatureFilter['groupBy'], string> = {
    user: 'cs.staff_id',
    department: 's.department',
    app: 'cs.app',
    day: "date((cs.created_at + @offset) / 1000, 'unixepoch')",
  };

  return {
    certificates(f, scope, now, p) {
      const sql = certificateSql(f, scope);
      const { total, rows } = run(sql, paramsOf(f, scope, now, f.status), 'department, employee_no, created_at DESC, serial', p);
      return {
        total,
        rows: rows.map(
          (r): CertificateRow => ({
            serial: (r.serial as string | null) ?? null,
            enrollmentId: (r.enrollment_id as string | null) ?? null,
            staffId: r.staff_id as string,
            employeeNo: r.employee_no as string,
            name: r.name as string,
            department: r.department as string,
            algorithm: r.algorithm as string,
            templateId: (r.template_id as string | null) ?? null,
            templateVersion: (r.template_version as number | null) ?? null,
            state: r.state as CertificateRow['state'],
            notBefore: (r.not_before as number | null) ?? null,
            notAfter: (r.not_after as number | null) ?? null,
            daysLeft: r.state === 'pending' ? null : daysLeft((r.not_after as number | null) ?? null, now),
            revokedAt: (r.revoked_at as number | null) ?? null,
            reason: (r.reason as number | null) ?? null,
            createdAt: r.created_at as number,
          }),
        ),
      };
    },

    staff(f, scope, now, p) {
      const sql = staffSql(f, scope);
      const { total, rows } = run(sql, paramsOf(f, scope, now, f.status === 'pending' ? undefined : f.status), 'department, employee_no', p);
      return {
        total,
        rows: rows.map(
          (r): StaffRow => ({
            staffId: r.staff_id as string,
            employeeNo: r.employee_no as string,
            name: r.name as string,
            department: r.department as string,
            title: (r.title as string | null) ?? null,
            state: r.state as StaffRow['state'],
            serial: (r.serial as string | null) ?? null,
            algorithm: (r.algorithm as string | null) ?? null,
            templateId: (r.template_id as string | null) ?? null,
            notAfter: (r.not_after as number | null) ?? null,
            daysLeft: daysLeft((r.not_after as number | null) ?? null, now),
            certificates: r.certificates as number,
            pendingEnrollments: r.pending as number,
          }),
        ),
      };
    },

    staffMember(staffId) {
      const r = prep('SELECT id, employee_no, name, department FROM staff WHERE id = ?').get(staffId) as Row | undefined;
      return r ? { id: r.id as string, employeeNo: r.employee_no as string, name: r.name as string, department: r.department as string } : undefined;
    },

    historyOf(staffId) {
      const certificates = (
        prep(
          `SELECT c.serial, c.not_before, c.not_after, c.status, ${algorithm} AS algorithm,
                  (SELECT k.created_at FROM key_share k WHERE k.certificate_serial = c.serial LIMIT 1) AS share_at,
                  (SELECT k.device_id FROM key_share k WHERE k.certificate_serial = c.serial LIMIT 1) AS device_id
             FROM certificate c WHERE c.staff_id = ?`,
        ).all(staffId) as Row[]
      ).map((r) => ({
        serial: r.serial as string,
        algorithm: r.algorithm as string,
        // the share is stored in the issuing transaction; notBefore is backdated a minute for clock skew
        issuedAt: (r.share_at as number | null) ?? (r.not_before as number),
        notAfter: r.not_after as number,
        status: r.status as string,
        deviceId: (r.device_id as string | null) ?? null,
      }));
      const enrollments = (prep('SELECT id, algorithm, created_at, status, device_id, renews_serial FROM enrollment WHERE staff_id = ?').all(staffId) as Row[]).map((r) => ({
        id: r.id as string,
        algorithm: r.algorithm as string,
        createdAt: r.created_at as number,
        status: r.status as string,
        deviceId: (r.device_id as string | null) ?? null,
        renewsSerial: (r.renews_serial as string | null) ?? null,
      }));
      const events = (prep('SELECT ev.serial, ev.at, ev.event, ev.reason FROM certificate_event ev JOIN certificate c ON c.serial = ev.serial WHERE c.staff_id = ? ORDER BY ev.at, ev.id').all(staffId) as Row[]).map((r) => ({
        serial: r.serial as string,
        at: r.at as number,
        event: r.event as 'hold' | 'release' | 'revoke',
        reason: (r.reason as number | null) ?? null,
      }));
      return { certificates, enrollments, events };
    },

    signatures(f, scope, offsetMs) {
      const key = signatureKey[f.groupBy];
      const sql = `
        SELECT ${key} AS k, min(s.name) AS name, min(s.employee_no) AS employee_no, min(s.department) AS department,
               sum(CASE WHEN cs.status = 'OK' THEN json_array_length(cs.digests) ELSE 0 END) AS signatures,
               sum(cs.status = 'OK') AS sessions, sum(cs.status = 'USER_REFUSED') AS refused, sum(cs.status = 'TIMEOUT') AS timeout,
               sum(cs.status IN ('CANCELLED', 'CERT_REVOKED', 'LOCKED', 'ERROR')) AS failed
          FROM cosign_session cs JOIN staff s ON s.id = cs.staff_id
         WHERE cs.kind = 'sign' AND cs.created_at >= @from AND cs.created_at < @to${scopeSql('s.department', scope)}
           ${f.department !== undefined ? ' AND s.department = @department' : ''}${f.app !== undefined ? ' AND cs.app = @app' : ''}${f.staffId ? ' AND cs.staff_id = @staffId' : ''}
         GROUP BY k
         ORDER BY ${f.groupBy === 'day' ? 'k' : 'signatures DESC, k'}
         LIMIT ${MAX_ROWS + 1}`;
      const params = { ...f, offset: offsetMs, scope: scope ? JSON.stringify(scope) : undefined };
      return (prep(sql).all(bind(sql, params)) as Row[]).map(
        (r): SignatureRow => ({
          key: r.k as string,
          label: f.groupBy === 'user' ? (r.name as string) : (r.k as string),
          employeeNo: f.groupBy === 'user' ? (r.employee_no as string) : null,
          department: f.groupBy === 'user' || f.groupBy === 'department' ? (r.department as string) : null,
          signatures: (r.signatures as number | null) ?? 0,
          sessions: (r.sessions as number | null) ?? 0,
          refused: (r.refused as number | null) ?? 0,
          timeout: (r.timeout as number | null) ?? 0,
          failed: (r.failed as number | null) ?? 0,
        }),
      );
    },

    lifecycle(from, to, now, scope) {
      const scoped = scope ? ' AND c.staff_id IN (SELECT id FROM staff WHERE department IN (SELECT value FROM json_each(@scope)))' : '';
      const ref = Math.min(now, to);
      const params = { from, to, ref, soon: ref + EXPIRING_DAYS * DAY_MS, superseded: CRL_REASON.superseded, ...(scope ? { scope: JSON.stringify(scope) } : {}) };
      const sql = `
        SELECT
          (SELECT count(*) FROM certificate c WHERE c.staff_id IS NOT NULL AND c.not_before >= @from AND c.not_before < @to${scoped}) AS issued,
          (SELECT count(*) FROM certificate_event ev JOIN certificate c ON c.serial = ev.serial WHERE ev.event = 'revoke' AND ev.reason = @superseded AND ev.at >= @from AND ev.at < @to${scoped}) AS renewed,
          (SELECT count(*) FROM certificate_event ev JOIN certificate c ON c.serial = ev.serial WHERE ev.event = 'revoke' AND ev.reason IS NOT @superseded AND ev.at >= @from AND ev.at < @to${scoped}) AS revoked,
          (SELECT count(*) FROM certificate_event ev JOIN certificate c ON c.serial = ev.serial WHERE ev.event = 'hold' AND ev.at >= @from AND ev.at < @to${scoped}) AS held,
          (SELECT count(*) FROM certificate c WHERE c.staff_id IS NOT NULL AND c.status <> 'revoked' AND c.not_after >= @from AND c.not_after < @ref${scoped}) AS expired,
          (SELECT count(*) FROM certificate c WHERE c.staff_id IS NOT NULL AND c.status = 'good' AND c.not_after > @ref AND c.not_after <= @soon${scoped}) AS expiringSoon`;
      return prep(sql).get(params) as { issued: number; renewed: number; revoked: number; held: number; expired: number; expiringSoon: number };
    },
  };
}

const notificationRow = (r: Row): NotificationView => ({
  id: r.id as string,
  kind: r.kind as NotificationRecord['kind'],
  serial: r.serial as string,
  staffId: (r.staff_id as string | null) ?? null,
  thresholdDays: r.threshold_days as number,
  notAfter: r.not_after as number,
  createdAt: r.created_at as number,
  consoleReadAt: (r.console_read_at as number | null) ?? null,
  phoneReadAt: (r.phone_read_at as number | null) ?? null,
  employeeNo: (r.employee_no as string | null) ?? null,
  name: (r.name as string | null) ?? null,
  department: (r.department as string | null) ?? null,
});

export function sqliteNotificationRepository(db: Database.Database): NotificationRepository {
  const q = {
    due: db.prepare(
      `SELECT c.serial, c.staff_id, c.not_after,
              (SELECT min(n.threshold_days) FROM notification n WHERE n.kind = 'cert_expiry' AND n.serial = c.serial) AS notified
         FROM certificate c
        WHERE c.status = 'good' AND c.staff_id IS NOT NULL AND c.not_after > @now AND c.not_after <= @horizon`,
    ),
    insert: db.prepare(
      `INSERT INTO notification (id, kind, serial, staff_id, threshold_days, not_after, created_at, console_read_at, phone_read_at)
       VALUES (@id, @kind, @serial, @staffId, @thresholdDays, @notAfter, @createdAt, NULL, NULL) ON CONFLICT (kind, serial, threshold_days) DO NOTHING`,
    ),
  };
  const select = `SELECT n.*, s.employee_no, s.name, s.department FROM notification n LEFT JOIN staff s ON s.id = n.staff_id`;
  return {
    due: (now, horizon) =>
      (q.due.all({ now, horizon }) as Row[]).map((r) => ({ serial: r.serial as string, staffId: r.staff_id as string, notAfter: r.not_after as number, notified: (r.notified as number | null) ?? null })),
    insert: (r) => q.insert.run(r).changes === 1,
    forConsole: ({ unread, scope, limit }) => {
      const sql = `${select} WHERE 1 = 1${unread ? ' AND n.console_read_at IS NULL' : ''}${scope ? ' AND s.department IN (SELECT value FROM json_each(@scope))' : ''} ORDER BY n.created_at DESC, n.id LIMIT @limit`;
      return (db.prepare(sql).all({ limit, ...(scope ? { scope: JSON.stringify(scope) } : {}) }) as Row[]).map(notificationRow);
    },
    forStaff: (staffId, { unread, limit }) =>
      (db.prepare(`${select} WHERE n.staff_id = @staffId${unread ? ' AND n.phone_read_at IS NULL' : ''} ORDER BY n.created_at DESC, n.id LIMIT @limit`).all({ staffId, limit }) as Row[]).map(notificationRow),
    markConsoleRead: (ids, at, scope) => {
      const sql = `UPDATE notification SET console_read_at = @at WHERE console_read_at IS NULL AND id IN (SELECT value FROM json_each(@ids))${scope ? ' AND staff_id IN (SELECT id FROM staff WHERE department IN (SELECT value FROM json_each(@scope)))' : ''}`;
      return db.prepare(sql).run({ at, ids: JSON.stringify(ids), ...(scope ? { scope: JSON.stringify(scope) } : {}) }).changes;
    },
    markPhoneRead: (staffId, ids, at) =>
      db.prepare('UPDATE notification SET phone_read_at = @at WHERE phone_read_at IS NULL AND staff_id = @staffId AND id IN (SELECT value FROM json_each(@ids))').run({ at, staffId, ids: JSON.stringify(ids) }).changes,
  };
}
