/**
 * Queries and statistics (查询/统计) for the management console: certificates and staff by
 * status, department, template and algorithm; the certificate history of a staff member; and
 * signature statistics from the co-sign sessions. Every query has a typed filter, the same filter
 * drives the JSON answer and its CSV/XLSX export (report-export.ts), and every table it shows is
 * described once by its columns.
 *
 * Days and months are the hospital's (the configured UTC offset, China Standard Time by default).
 */
import { CRL_REASON } from '@medsign/core';
import { Errors } from './errors.js';
import type { AdminRecord, KeyKind } from '../store/repositories.js';

export const DAY_MS = 86_400_000;

/** valid = usable now (expiringN ⊂ valid); pending = an enrollment (activation) not completed yet. */
export const STATUS_FILTERS = ['valid', 'expiring30', 'expiring60', 'expiring90', 'expired', 'revoked', 'hold', 'pending'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export type CertState = 'valid' | 'expiring' | 'expired' | 'revoked' | 'hold' | 'pending';
/** a certificate within this many days of its end shows as `expiring` */
export const EXPIRING_DAYS = 30;

export const STATE_LABEL: Record<CertState | 'none', string> = {
  valid: '有效 (valid)',
  expiring: '即将到期 (expiring)',
  expired: '已过期 (expired)',
  revoked: '已吊销 (revoked)',
  hold: '已冻结 (on hold)',
  pending: '待激活 (pending)',
  none: '无证书 (none)',
};

export interface Paging {
  page: number;
  pageSize: number;
}

/** The department scope of the caller: null = every department. */
export type Scope = readonly string[] | null;

export interface CertificateFilter {
  status?: StatusFilter;
  department?: string;
  template?: string;
  algorithm?: KeyKind;
  staffId?: string;
  employeeNo?: string;
  /** notBefore in [issuedFrom, issuedTo) */
  issuedFrom?: number;
  issuedTo?: number;
  /** notAfter in [expiresFrom, expiresTo) */
  expiresFrom?: number;
  expiresTo?: number;
}

export interface CertificateRow {
  /** null for a pending enrollment */
  serial: string | null;
  enrollmentId: string | null;
  staffId: string;
  employeeNo: string;
  name: string;
  department: string;
  algorithm: string;
  templateId: string | null;
  templateVersion: number | null;
  state: CertState;
  notBefore: number | null;
  notAfter: number | null;
  daysLeft: number | null;
  revokedAt: number | null;
  reason: number | null;
  /** issue time (certificate) or the activation code's creation (enrollment) */
  createdAt: number;
}

export interface StaffFilter {
  status?: StatusFilter | 'none';
  department?: string;
  template?: string;
  algorithm?: KeyKind;
  /** employee number or name contains */
  q?: string;
}

export interface StaffRow {
  staffId: string;
  employeeNo: string;
  name: string;
  department: string;
  title: string | null;
  /** of the newest certificate; pending when there is none yet but an open enrollment; none otherwise */
  state: CertState | 'none';
  serial: string | null;
  algorithm: string | null;
  templateId: string | null;
  notAfter: number | null;
  daysLeft: number | null;
  certificates: number;
  pendingEnrollments: number;
}

export const GROUP_BY = ['user', 'department', 'app', 'day'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface SignatureFilter {
  groupBy: GroupBy;
  /** created_at in [from, to) */
  from: number;
  to: number;
  department?: string;
  app?: string;
  staffId?: string;
}

export interface SignatureRow {
  /** staff id, department, app or YYYY-MM-DD */
  key: string;
  label: string;
  employeeNo: string | null;
  department: string | null;
  /** digests signed in sessions that ended OK */
  signatures: number;
  /** sign sessions that ended OK */
  sessions: number;
  refused: number;
  timeout: number;
  /** CANCELLED, CERT_REVOKED, LOCKED, ERROR */
  failed: number;
}

export type HistoryEvent = 'applied' | 'issued' | 'renewed' | 'superseded' | 'revoked' | 'hold' | 'release' | 'expired';
export const EVENT_LABEL: Record<HistoryEvent, string> = {
  applied: '发放激活码 (activation code issued)',
  issued: '签发 (issued)',
  renewed: '更新签发 (renewed)',
  superseded: '被更新替代 (superseded)',
  revoked: '吊销 (revoked)',
  hold: '冻结 (on hold)',
  release: '解冻 (released)',
  expired: '到期 (expired)',
};

export interface HistoryEntry {
  at: number;
  event: HistoryEvent;
  serial: string | null;
  /** the certificate this one renewed (renewed) or the one that replaced it (superseded) */
  related: string | null;
  algorithm: string | null;
  reason: number | null;
}

/** What the store answers; SQLite implements it in store/reports-sqlite.ts. */
export interface ReportRepository {
  certificates(filter: CertificateFilter, scope: Scope, now: number, paging: Paging | null): { total: number; rows: CertificateRow[] };
  staff(filter: StaffFilter, scope: Scope, now: number, paging: Paging | null): { total: number; rows: StaffRow[] };
  staffMember(staffId: string): { id: string; employeeNo: string; name: string; department: string } | undefined;
  /** the raw material of a history, in no particular order */
  historyOf(staffId: string): {
    certificates: { serial: string; algorithm: string; issuedAt: number; notAfter: number; status: string; deviceId: string | null }[];
    enrollments: { id: string; algorithm: string; createdAt: number; status: string; deviceId: string | null; renewsSerial: string | null }[];
    events: { serial: string; at: number; event: 'hold' | 'release' | 'revoke'; reason: number | null }[];
  };
  signatures(filter: SignatureFilter, scope: Scope, offsetMs: number): SignatureRow[];
  /** certificate lifecycle counts for [from, to) */
  lifecycle(from: number, to: number, now: number, scope: Scope): { issued: number; renewed: number; revoked: number; held: number; expired: number; expiringSoon: number };
}

/** Departments an administrator may see: a dept_approver with departments sees only those. */
export function scopeOf(admin: AdminRecord | undefined): Scope {
  if (!admin || admin.role !== 'dept_approver') return null;
  // departments arrive with issue 7's administrator management (migration 11); without them the scope is open
  const departments = (admin as AdminRecord & { departments?: unknown }).departments;
  return Array.isArray(departments) && departments.length > 0 ? (departments as string[]) : null;
}

function checkDepartment(scope: Scope, department: string | undefined): void {
  if (scope && department !== undefined && !scope.includes(department)) {
    throw Errors.forbidden({ en: 'this department is outside your scope', zh: '该科室不在您的管理范围内' });
  }
}

export interface ReportOptions {
  /** the hospital's offset from UTC, minutes (China: +480) */
  utcOffsetMinutes: number;
}

export class ReportService {
  constructor(
    private readonly repo: ReportRepository,
    readonly options: ReportOptions,
  ) {}

  get offsetMs(): number {
    return this.options.utcOffsetMinutes * 60_000;
  }

  certificates(filter: CertificateFilter, scope: Scope, paging: Paging | null, now = Date.now()) {
    checkDepartment(scope, filter.department);
    return this.repo.certificates(filter, scope, now, paging);
  }

  staff(filter: StaffFilter, scope: Scope, paging: Paging | null, now = Date.now()) {
    checkDepartment(scope, filter.department);
    return this.repo.staff(filter, scope, now, paging);
  }

  /** Issued, renewed/superseded, held/released, revoked and expired, in order. */
  history(staffId: string, scope: Scope, now = Date.now()): { staff: { id: string; employeeNo: string; name: string; department: string }; events: HistoryEntry[] } {
    const staff = this.repo.staffMember(staffId);
    if (!staff) throw Errors.notFound({ en: 'staff member', zh: '医务人员' });
    checkDepartment(scope, staff.department);
    const { certificates, enrollments, events } = this.repo.historyOf(staffId);
    const out: (HistoryEntry & { order: number })[] = [];
    const algorithmOf = new Map(certificates.map((c) => [c.serial, c.algorithm]));
    // a renewal's certificate: the first one issued on the renewing device after the renewal opened
    const renews = new Map<string, string>();
    for (const e of enrollments.filter((x) => x.renewsSerial && x.status === 'completed').sort((a, b) => a.createdAt - b.createdAt)) {
      const next = certificates
        .filter((c) => c.deviceId === e.deviceId && c.issuedAt >= e.createdAt && c.serial !== e.renewsSerial && !renews.has(c.serial))
        .sort((a, b) => a.issuedAt - b.issuedAt)[0];
      if (next) renews.set(next.serial, e.renewsSerial!);
    }
    const supersededBy = new Map([...renews].map(([n, o]) => [o, n]));
    for (const e of enrollments) if (!e.renewsSerial) out.push({ at: e.createdAt, event: 'applied', serial: null, related: null, algorithm: e.algorithm, reason: null, order: 0 });
    for (const c of certificates) {
      const old = renews.get(c.serial);
      out.push({ at: c.issuedAt, event: old ? 'renewed' : 'issued', serial: c.serial, related: old ?? null, algorithm: c.algorithm, reason: null, order: 1 });
      if (c.notAfter <= now && c.status !== 'revoked') out.push({ at: c.notAfter, event: 'expired', serial: c.serial, related: null, algorithm: c.algorithm, reason: null, order: 3 });
    }
    for (const e of events) {
      const superseded = e.event === 'revoke' && e.reason === CRL_REASON.superseded;
      out.push({
        at: e.at,
        event: superseded ? 'superseded' : e.event === 'revoke' ? 'revoked' : e.event,
        serial: e.serial,
        related: superseded ? (supersededBy.get(e.serial) ?? null) : null,
        algorithm: algorithmOf.get(e.serial) ?? null,
        reason: e.event === 'release' ? null : e.reason,
        order: 2,
      });
    }
    out.sort((a, b) => a.at - b.at || a.order - b.order);
    return { staff, events: out.map(({ order: _order, ...e }) => e) };
  }

  signatures(filter: SignatureFilter, scope: Scope): SignatureRow[] {
    checkDepartment(scope, filter.department);
    if (filter.to <= filter.from) throw Errors.badRequest({ en: 'the period ends before it starts', zh: '结束日期早于开始日期' });
    if (filter.to - filter.from > 400 * DAY_MS) throw Errors.badRequest({ en: 'at most 400 days at once', zh: '一次最多统计 400 天' });
    return this.repo.signatures(filter, scope, this.offsetMs);
  }

  /** Local midnight of a YYYY-MM-DD day, as epoch ms. */
  dayStart(day: string): number {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    const t = Date.UTC(y, m - 1, d);
    if (new Date(t).getUTCDate() !== d || new Date(t).getUTCMonth() !== m - 1) throw Errors.badRequest({ en: `no such day ${day}`, zh: `日期不存在 ${day}` });
    return t - this.offsetMs;
  }

  /** The local day (YYYY-MM-DD) an instant falls on. */
  dayOf(at: number): string {
    return new Date(at + this.offsetMs).toISOString().slice(0, 10);
  }

  /** [from, to) of a YYYY-MM month. */
  monthRange(month: string): { from: number; to: number; days: string[] } {
    const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
    if (!m) throw Errors.badRequest({ en: 'month must be YYYY-MM', zh: '月份格式应为 YYYY-MM' });
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const from = Date.UTC(y, mo - 1, 1) - this.offsetMs;
    const to = Date.UTC(y, mo, 1) - this.offsetMs;
    const days = Array.from({ length: Math.round((to - from) / DAY_MS) }, (_, i) => this.dayOf(from + i * DAY_MS));
    return { from, to, days };
  }

  /** Everything the monthly summary shows (report-pdf.ts draws it). */
  monthly(month: string, scope: Scope, now = Date.now()): MonthlySummary {
    const { from, to, days } = this.monthRange(month);
    const lifecycle = this.repo.lifecycle(from, to, now, scope);
    const base = { from, to };
    const byDay = new Map(this.repo.signatures({ ...base, groupBy: 'day' }, scope, this.offsetMs).map((r) => [r.key, r]));
    const perDay = days.map((d) => ({ day: d, signatures: byDay.get(d)?.signatures ?? 0 }));
    const perDepartment = this.repo.signatures({ ...base, groupBy: 'department' }, scope, this.offsetMs);
    const perApp = this.repo.signatures({ ...base, groupBy: 'app' }, scope, this.offsetMs);
    const perUser = this.repo.signatures({ ...base, groupBy: 'user' }, scope, this.offsetMs);
    const sum = (k: 'signatures' | 'sessions' | 'refused' | 'timeout' | 'failed') => perApp.reduce((n, r) => n + r[k], 0);
    return {
      month,
      from,
      to,
      lastDay: days[days.length - 1]!,
      certificates: lifecycle,
      totals: { signatures: sum('signatures'), sessions: sum('sessions'), refused: sum('refused'), timeout: sum('timeout'), failed: sum('failed') },
      perDay,
      perDepartment,
      perApp,
      topSigners: perUser.filter((r) => r.signatures > 0).slice(0, 10),
    };
  }
}

export interface MonthlySummary {
  month: string;
  from: number;
  to: number;
  lastDay: string;
  certificates: { issued: number; renewed: number; revoked: number; held: number; expired: number; expiringSoon: number };
  totals: { signatures: number; sessions: number; refused: number; timeout: number; failed: number };
  perDay: { day: string; signatures: number }[];
  perDepartment: SignatureRow[];
  perApp: SignatureRow[];
  topSigners: SignatureRow[];
}
