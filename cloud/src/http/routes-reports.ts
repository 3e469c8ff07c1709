/**
 * Reports, exports and notifications over HTTP (查询/统计/报表). Every query reads its filter
 * from the query string (unknown parameters are refused); the export of a query takes the very
 * same parameters plus format=csv|xlsx, so an export always keeps the filter on screen.
 * Readable by every administrator role (a dept_approver with departments sees only those).
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { Errors } from '../domain/errors.js';
import {
  DAY_MS,
  EVENT_LABEL,
  GROUP_BY,
  STATE_LABEL,
  STATUS_FILTERS,
  scopeOf,
  type CertificateFilter,
  type CertificateRow,
  type HistoryEntry,
  type Paging,
  type ReportService,
  type Scope,
  type SignatureFilter,
  type SignatureRow,
  type StaffFilter,
  type StaffRow,
} from '../domain/reports.js';
import { reminderText, type NotificationView, type ReminderService, type NotificationRepository } from '../domain/reminders.js';
import { toCsv, toXlsx, type Column, type Table } from '../domain/report-export.js';
import { renderMonthlyPdf } from '../domain/report-pdf.js';
import { MAX_ROWS } from '../store/reports-sqlite.js';
import { defineJson, describeIssues, roleAllowed, type AnyJsonRoute, type Authenticators, type RawRoute } from './api.js';

export interface ReportServices {
  reports: ReportService;
  reminders: ReminderService;
  notifications: NotificationRepository;
  /** the hospital's name for report titles (the hospitalName setting, else the configured organization) */
  hospitalName: () => string;
  /** the staff member an enrolled phone belongs to */
  staffOfDevice: (deviceId: string) => string;
}

// ---- query-string schemas (values arrive as strings; a repeated parameter is an array and refused) ----
const Day = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'YYYY-MM-DD');
const Text64 = z.string().min(1).max(64);
const Algorithm = z.enum(['sm2', 'rsa-2048', 'rsa-1024']);
const PagingQuery = {
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(1000).optional(),
};
const CertificateQuery = z
  .object({
    status: z.enum(STATUS_FILTERS).optional(),
    department: Text64.optional(),
    template: Text64.optional(),
    algorithm: Algorithm.optional(),
    staffId: z.string().uuid().optional(),
    employeeNo: z.string().regex(/^[A-Za-z0-9-]{1,32}$/).optional(),
    issuedFrom: Day.optional(),
    issuedTo: Day.optional(),
    expiresFrom: Day.optional(),
    expiresTo: Day.optional(),
    ...PagingQuery,
  })
  .strict();
const StaffQuery = z
  .object({
    status: z.enum([...STATUS_FILTERS, 'none']).optional(),
    department: Text64.optional(),
    template: Text64.optional(),
    algorithm: Algorithm.optional(),
    q: Text64.optional(),
    ...PagingQuery,
  })
  .strict();
const SignatureQuery = z
  .object({
    groupBy: z.enum(GROUP_BY).optional(),
    from: Day.optional(),
    to: Day.optional(),
    department: Text64.optional(),
    app: Text64.optional(),
    staffId: z.string().uuid().optional(),
  })
  .strict();
const HistoryQuery = z.object({}).strict();
const Format = { format: z.enum(['csv', 'xlsx']) };
const MonthQuery = z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM') }).strict();
const NotificationQuery = z.object({ unread: z.enum(['0', '1']).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }).strict();
const StaffId = z.string().uuid();

function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) throw Errors.badRequest({ en: describeIssues(parsed.error), zh: `查询参数无效：${describeIssues(parsed.error)}` });
  return parsed.data;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

// ---- each query: its filter, its run, its JSON view and its columns ----
interface QueryDef<Q, R> {
  name: string;
  title: string;
  schema: z.ZodType<Q>;
  /** all the rows the filter matches (an export ignores paging), at most MAX_ROWS + 1 */
  run: (q: Q, scope: Scope) => { total: number; rows: R[] };
  columns: Column<R>[];
}

const pagingOf = (q: { page?: number | undefined; pageSize?: number | undefined }): Paging => ({ page: q.page ?? 1, pageSize: q.pageSize ?? 100 });

const CertificateView = z.object({
  serial: z.string().nullable(),
  enrollmentId: z.string().nullable(),
  staffId: z.string(),
  employeeNo: z.string(),
  name: z.string(),
  department: z.string(),
  algorithm: z.string(),
  templateId: z.string().nullable(),
  templateVersion: z.number().nullable(),
  state: z.enum(['valid', 'expiring', 'expired', 'revoked', 'hold', 'pending']),
  notBefore: z.string().nullable(),
  notAfter: z.string().nullable(),
  daysLeft: z.number().int().nullable(),
  revokedAt: z.string().nullable(),
  reason: z.number().int().nullable(),
  createdAt: z.string(),
});
const certificateView = (r: CertificateRow) => ({ ...r, notBefore: iso(r.notBefore), notAfter: iso(r.notAfter), revokedAt: iso(r.revokedAt), createdAt: iso(r.createdAt)! });

const StaffView = z.object({
  staffId: z.string(),
  employeeNo: z.string(),
  name: z.string(),
  department: z.string(),
  title: z.string().nullable(),
  state: z.enum(['valid', 'expiring', 'expired', 'revoked', 'hold', 'pending', 'none']),
  serial: z.string().nullable(),
  algorithm: z.string().nullable(),
  templateId: z.string().nullable(),
  notAfter: z.string().nullable(),
  daysLeft: z.number().int().nullable(),
  certificates: z.number().int(),
  pendingEnrollments: z.number().int(),
});
const staffView = (r: StaffRow) => ({ ...r, notAfter: iso(r.notAfter) });

const SignatureView = z.object({
  key: z.string(),
  label: z.string(),
  employeeNo: z.string().nullable(),
  department: z.string().nullable(),
  signatures: z.number().int(),
  sessions: z.number().int(),
  refused: z.number().int(),
  timeout: z.number().int(),
  failed: z.number().int(),
});

const HistoryView = z.object({
  at: z.string(),
  event: z.enum(['applied', 'issued', 'renewed', 'superseded', 'revoked', 'hold', 'release', 'expired']),
  label: z.string(),
  serial: z.string().nullable(),
  related: z.string().nullable(),
  algorithm: z.string().nullable(),
  reason: z.number().int().nullable(),
});
const historyView = (e: HistoryEntry) => ({ ...e, at: iso(e.at)!, label: EVENT_LABEL[e.event] });

const text = <R>(zh: string, en: string, width: number, value: (r: R) => string | null): Column<R> => ({ zh, en, type: 'text', width, value });
const int = <R>(zh: string, en: string, width: number, value: (r: R) => number | null): Column<R> => ({ zh, en, type: 'int', width, value });
const time = <R>(zh: string, en: string, value: (r: R) => number | null): Column<R> => ({ zh, en, type: 'datetime', width: 20, value });

const certificateColumns: Column<CertificateRow>[] = [
  text('工号', 'employee no.', 12, (r) => r.employeeNo),
  text('姓名', 'name', 12, (r) => r.name),
  text('科室', 'department', 14, (r) => r.department),
  text('状态', 'state', 16, (r) => STATE_LABEL[r.state]),
  text('证书序列号', 'serial', 36, (r) => r.serial),
  text('算法', 'algorithm', 10, (r) => r.algorithm),
  text('模板', 'template', 12, (r) => r.templateId),
  int('模板版本', 'template version', 10, (r) => r.templateVersion),
  time('生效时间', 'not before', (r) => r.notBefore),
  time('到期时间', 'not after', (r) => r.notAfter),
  int('剩余天数', 'days left', 10, (r) => r.daysLeft),
  time('吊销/冻结时间', 'revoked at', (r) => r.revokedAt),
  int('吊销原因', 'reason', 10, (r) => r.reason),
  text('激活申请', 'enrollment', 36, (r) => r.enrollmentId),
];
const staffColumns: Column<StaffRow>[] = [
  text('工号', 'employee no.', 12, (r) => r.employeeNo),
  text('姓名', 'name', 12, (r) => r.name),
  text('科室', 'department', 14, (r) => r.department),
  text('职称', 'title', 12, (r) => r.title),
  text('状态', 'state', 16, (r) => STATE_LABEL[r.state]),
  text('当前证书', 'current certificate', 36, (r) => r.serial),
  text('算法', 'algorithm', 10, (r) => r.algorithm),
  text('模板', 'template', 12, (r) => r.templateId),
  time('到期时间', 'not after', (r) => r.notAfter),
  int('剩余天数', 'days left', 10, (r) => r.daysLeft),
  int('证书数', 'certificates', 10, (r) => r.certificates),
  int('待激活', 'pending enrollments', 10, (r) => r.pendingEnrollments),
];
const signatureColumns = (groupBy: SignatureFilter['groupBy']): Column<SignatureRow>[] => [
  ...(groupBy === 'user'
    ? [text<SignatureRow>('工号', 'employee no.', 12, (r) => r.employeeNo), text<SignatureRow>('姓名', 'name', 12, (r) => r.label), text<SignatureRow>('科室', 'department', 14, (r) => r.department)]
    : groupBy === 'department'
      ? [text<SignatureRow>('科室', 'department', 16, (r) => r.label)]
      : groupBy === 'app'
        ? [text<SignatureRow>('应用', 'application', 16, (r) => r.label)]
        : [{ zh: '日期', en: 'day', type: 'text' as const, width: 12, value: (r: SignatureRow) => r.key }]),
  int('签名数', 'signatures', 10, (r) => r.signatures),
  int('成功会话', 'sessions OK', 10, (r) => r.sessions),
  int('拒绝', 'refused', 8, (r) => r.refused),
  int('超时', 'timed out', 8, (r) => r.timeout),
  int('其他失败', 'other failures', 10, (r) => r.failed),
];
const historyColumns: Column<HistoryEntry>[] = [
  time('时间', 'time', (e) => e.at),
  text('事件', 'event', 22, (e) => EVENT_LABEL[e.event]),
  text('证书序列号', 'serial', 36, (e) => e.serial),
  text('关联证书', 'related certificate', 36, (e) => e.related),
  text('算法', 'algorithm', 10, (e) => e.algorithm),
  int('原因', 'reason', 8, (e) => e.reason),
];

/** The filter of a certificate query as the domain takes it (days in hospital time; `to` days inclusive). */
function certificateFilter(reports: ReportService, q: z.infer<typeof CertificateQuery>): CertificateFilter {
  const f: CertificateFilter = {};
  if (q.status) f.status = q.status;
  if (q.department !== undefined) f.department = q.department;
  if (q.template !== undefined) f.template = q.template;
  if (q.algorithm) f.algorithm = q.algorithm;
  if (q.staffId) f.staffId = q.staffId;
  if (q.employeeNo) f.employeeNo = q.employeeNo;
  if (q.issuedFrom) f.issuedFrom = reports.dayStart(q.issuedFrom);
  if (q.issuedTo) f.issuedTo = reports.dayStart(q.issuedTo) + DAY_MS;
  if (q.expiresFrom) f.expiresFrom = reports.dayStart(q.expiresFrom);
  if (q.expiresTo) f.expiresTo = reports.dayStart(q.expiresTo) + DAY_MS;
  return f;
}

function staffFilter(q: z.infer<typeof StaffQuery>): StaffFilter {
  const f: StaffFilter = {};
  if (q.status) f.status = q.status;
  if (q.department !== undefined) f.department = q.department;
  if (q.template !== undefined) f.template = q.template;
  if (q.algorithm) f.algorithm = q.algorithm;
  if (q.q !== undefined) f.q = q.q;
  return f;
}

/** Default period: the last 30 days including today. */
function signatureFilter(reports: ReportService, q: z.infer<typeof SignatureQuery>, now = Date.now()): SignatureFilter {
  const today = reports.dayOf(now);
  const to = reports.dayStart(q.to ?? today) + DAY_MS;
  const from = q.from ? reports.dayStart(q.from) : to - 30 * DAY_MS;
  const f: SignatureFilter = { groupBy: q.groupBy ?? 'user', from, to };
  if (q.department !== undefined) f.department = q.department;
  if (q.app !== undefined) f.app = q.app;
  if (q.staffId) f.staffId = q.staffId;
  return f;
}

function queries(s: ReportServices) {
  const certificates: QueryDef<z.infer<typeof CertificateQuery>, CertificateRow> = {
    name: 'certificates',
    title: '证书查询 (certificates)',
    schema: CertificateQuery,
    run: (q, scope) => s.reports.certificates(certificateFilter(s.reports, q), scope, null),
    columns: certificateColumns,
  };
  const staff: QueryDef<z.infer<typeof StaffQuery>, StaffRow> = {
    name: 'staff',
    title: '人员查询 (staff)',
    schema: StaffQuery,
    run: (q, scope) => s.reports.staff(staffFilter(q), scope, null),
    columns: staffColumns,
  };
  return { certificates, staff };
}

export function reportRoutes(s: ReportServices): AnyJsonRoute[] {
  const paged = <T extends z.ZodType>(row: T) => z.object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), rows: z.array(row) });
  return [
    defineJson({
      method: 'get',
      path: '/api/v1/admin/reports/certificates',
      summary:
        '证书查询 (certificates and pending enrollments): ?status=valid|expiring30|expiring60|expiring90|expired|revoked|hold|pending &department &template &algorithm &staffId &employeeNo &issuedFrom/&issuedTo/&expiresFrom/&expiresTo=YYYY-MM-DD &page &pageSize (≤ 1000); export: …/export?format=csv|xlsx with the same filter',
      auth: 'admin',
      response: paged(CertificateView),
      handler: ({ req, admin }) => {
        const query = parseQuery(CertificateQuery, req);
        const p = pagingOf(query);
        const r = s.reports.certificates(certificateFilter(s.reports, query), scopeOf(admin), p);
        return { total: r.total, ...p, rows: r.rows.map(certificateView) };
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/reports/staff',
      summary: '人员查询 (staff by the state of their newest certificate): ?status (as certificates, or none) &department &template &algorithm &q (employee no. or name) &page &pageSize; export: …/export?format=csv|xlsx',
      auth: 'admin',
      response: paged(StaffView),
      handler: ({ req, admin }) => {
        const query = parseQuery(StaffQuery, req);
        const p = pagingOf(query);
        const r = s.reports.staff(staffFilter(query), scopeOf(admin), p);
        return { total: r.total, ...p, rows: r.rows.map(staffView) };
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/reports/staff/{id}/history',
      summary: '证书历史 (the certificate history of a staff member: activation codes, issued, renewed/superseded, held/released, revoked, expired — in order); export: …/history/export?format=csv|xlsx',
      auth: 'admin',
      response: z.object({ staff: z.object({ id: z.string(), employeeNo: z.string(), name: z.string(), department: z.string() }), events: z.array(HistoryView) }),
      handler: ({ req, params, admin }) => {
        parseQuery(HistoryQuery, req);
        const h = s.reports.history(StaffId.parse(params.id), scopeOf(admin));
        return { staff: h.staff, events: h.events.map(historyView) };
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/reports/signatures',
      summary:
        '签名统计 (signatures = digests of sessions that ended OK, with refused/timed-out/failed sessions): ?groupBy=user|department|app|day &from &to=YYYY-MM-DD (hospital days, inclusive; default the last 30) &department &app &staffId; export: …/export?format=csv|xlsx',
      auth: 'admin',
      response: z.object({ groupBy: z.enum(GROUP_BY), from: z.string(), to: z.string(), rows: z.array(SignatureView), totals: SignatureView.pick({ signatures: true, sessions: true, refused: true, timeout: true, failed: true }) }),
      handler: ({ req, admin }) => {
        const f = signatureFilter(s.reports, parseQuery(SignatureQuery, req));
        const rows = s.reports.signatures(f, scopeOf(admin));
        const sum = (k: 'signatures' | 'sessions' | 'refused' | 'timeout' | 'failed') => rows.reduce((n, r) => n + r[k], 0);
        return {
          groupBy: f.groupBy,
          from: s.reports.dayOf(f.from),
          to: s.reports.dayOf(f.to - 1),
          rows,
          totals: { signatures: sum('signatures'), sessions: sum('sessions'), refused: sum('refused'), timeout: sum('timeout'), failed: sum('failed') },
        };
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/notifications',
      summary: '通知 (console notifications: certificates due to expire at the reminder thresholds), newest first: ?unread=1 &limit (≤ 500)',
      auth: 'admin',
      response: z.object({ notifications: z.array(z.object({ id: z.string(), kind: z.string(), serial: z.string(), staffId: z.string().nullable(), employeeNo: z.string().nullable(), name: z.string().nullable(), department: z.string().nullable(), thresholdDays: z.number().int(), notAfter: z.string(), createdAt: z.string(), read: z.boolean(), title: z.string(), message: z.string() })) }),
      handler: ({ req, admin }) => {
        const query = parseQuery(NotificationQuery, req);
        const list = s.notifications.forConsole({ unread: query.unread === '1', scope: scopeOf(admin), limit: query.limit ?? 100 });
        return { notifications: list.map((n) => consoleView(n, s.reports.options.utcOffsetMinutes)) };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/notifications/read',
      summary: '标记已读 (mark console notifications read)',
      auth: 'admin',
      roles: ['ra_officer', 'dept_approver'],
      body: z.object({ ids: z.array(z.string().uuid()).min(1).max(500) }).strict(),
      response: z.object({ updated: z.number().int() }),
      handler: ({ body, admin }) => ({ updated: s.notifications.markConsoleRead(body.ids, Date.now(), scopeOf(admin)) }),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/notifications/run',
      summary: '立即检查到期证书 (run the expiry reminder job now; it also runs daily; idempotent)',
      auth: 'admin',
      response: z.object({ created: z.number().int() }),
      handler: () => ({ created: s.reminders.run().length }),
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/mobile/notifications',
      summary: '手机通知 (this phone’s staff member’s notifications, e.g. certificate expiry reminders; device-signed; ?unread=1 &limit)',
      auth: 'device',
      response: z.object({ notifications: z.array(z.object({ id: z.string(), kind: z.string(), serial: z.string(), thresholdDays: z.number().int(), notAfter: z.string(), createdAt: z.string(), read: z.boolean(), title: z.string(), message: z.string() })) }),
      handler: ({ req, deviceId }) => {
        const query = parseQuery(NotificationQuery, req);
        const staffId = s.staffOfDevice(deviceId);
        const list = s.notifications.forStaff(staffId, { unread: query.unread === '1', limit: query.limit ?? 100 });
        return {
          notifications: list.map((n) => ({
            id: n.id,
            kind: n.kind,
            serial: n.serial,
            thresholdDays: n.thresholdDays,
            notAfter: iso(n.notAfter)!,
            createdAt: iso(n.createdAt)!,
            read: n.phoneReadAt !== null,
            ...reminderText(n, s.reports.options.utcOffsetMinutes),
          })),
        };
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/mobile/notifications/read',
      summary: '手机标记已读 (mark this phone’s notifications read; device-signed)',
      auth: 'device',
      body: z.object({ ids: z.array(z.string().uuid()).min(1).max(500) }).strict(),
      response: z.object({ updated: z.number().int() }),
      handler: ({ body, deviceId }) => ({ updated: s.notifications.markPhoneRead(s.staffOfDevice(deviceId), body.ids, Date.now()) }),
    }),
  ];
}

const consoleView = (n: NotificationView, offset: number) => ({
  id: n.id,
  kind: n.kind,
  serial: n.serial,
  staffId: n.staffId,
  employeeNo: n.employeeNo,
  name: n.name,
  department: n.department,
  thresholdDays: n.thresholdDays,
  notAfter: iso(n.notAfter)!,
  createdAt: iso(n.createdAt)!,
  read: n.consoleReadAt !== null,
  ...reminderText(n, offset),
});

export const reportRawRoutes: RawRoute[] = [
  { method: 'get', path: '/api/v1/admin/reports/certificates/export', summary: '导出证书查询 (export the certificate query: the same filter + format=csv|xlsx; admin bearer)', responseType: 'text/csv' },
  { method: 'get', path: '/api/v1/admin/reports/staff/export', summary: '导出人员查询 (export the staff query: the same filter + format=csv|xlsx; admin bearer)', responseType: 'text/csv' },
  { method: 'get', path: '/api/v1/admin/reports/staff/{id}/history/export', summary: '导出证书历史 (export a staff member’s certificate history: format=csv|xlsx; admin bearer)', responseType: 'text/csv' },
  { method: 'get', path: '/api/v1/admin/reports/signatures/export', summary: '导出签名统计 (export the signature statistics: the same filter + format=csv|xlsx; admin bearer)', responseType: 'text/csv' },
  { method: 'get', path: '/api/v1/admin/reports/monthly', summary: '月度报表 PDF (monthly summary report with charts: ?month=YYYY-MM; admin bearer)', responseType: 'application/pdf' },
];

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The binary endpoints (exports and the monthly PDF), behind the same administrator bearer check as the JSON ones. */
export function mountReportExports(router: Router, s: ReportServices, auth: Authenticators): void {
  const admin = (req: Request) => {
    const a = auth.admin(req);
    if (!roleAllowed({ method: 'get' }, a.role)) throw Errors.forbidden();
    return a;
  };
  const send = async <R>(res: Response, format: 'csv' | 'xlsx', table: Table<R>) => {
    if (table.rows.length > MAX_ROWS) throw Errors.badRequest({ en: `more than ${MAX_ROWS} rows: narrow the filter`, zh: `超过 ${MAX_ROWS} 行，请缩小查询范围` });
    const stem = `${table.name}-${s.reports.dayOf(Date.now())}`;
    res.set('Cache-Control', 'no-store');
    res.set('X-Content-Type-Options', 'nosniff');
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`${stem}.csv`).send(toCsv(table, s.reports.options.utcOffsetMinutes));
    } else {
      res.type(XLSX).attachment(`${stem}.xlsx`).send(await toXlsx(table, s.reports.options.utcOffsetMinutes, { creator: `MedSign — ${s.hospitalName()}`, title: table.name }));
    }
  };
  const q = queries(s);
  for (const def of [q.certificates, q.staff] as QueryDef<unknown, unknown>[]) {
    router.get(`/api/v1/admin/reports/${def.name}/export`, async (req, res) => {
      const a = admin(req);
      const query = parseQuery((def.schema as z.ZodObject).extend(Format), req) as { format: 'csv' | 'xlsx' };
      const r = def.run(query, scopeOf(a));
      await send(res, query.format, { name: def.name, columns: def.columns, rows: r.rows });
    });
  }
  router.get('/api/v1/admin/reports/staff/:id/history/export', async (req, res) => {
    const a = admin(req);
    const query = parseQuery(HistoryQuery.extend(Format), req);
    const h = s.reports.history(StaffId.parse(req.params.id), scopeOf(a));
    await send(res, query.format, { name: `history-${h.staff.employeeNo}`, columns: historyColumns, rows: h.events });
  });
  router.get('/api/v1/admin/reports/signatures/export', async (req, res) => {
    const a = admin(req);
    const query = parseQuery(SignatureQuery.extend(Format), req);
    const f = signatureFilter(s.reports, query);
    await send(res, query.format, { name: `signatures-by-${f.groupBy}`, columns: signatureColumns(f.groupBy), rows: s.reports.signatures(f, scopeOf(a)) });
  });
  router.get('/api/v1/admin/reports/monthly', async (req, res) => {
    const a = admin(req);
    const { month } = parseQuery(MonthQuery, req);
    const pdf = await monthlyPdf(s, month, scopeOf(a));
    res.set('Cache-Control', 'no-store');
    res.type('application/pdf').attachment(`monthly-${month}.pdf`).send(pdf);
  });
}

/** The monthly PDF (also used by `medsign-cloud report monthly`). */
export function monthlyPdf(s: Pick<ReportServices, 'reports' | 'hospitalName'>, month: string, scope: Scope, now = Date.now()): Promise<Buffer> {
  const summary = s.reports.monthly(month, scope, now);
  const off = s.reports.options.utcOffsetMinutes;
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  const utcOffset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  const generatedAt = new Date(now + off * 60_000).toISOString().slice(0, 16).replace('T', ' ');
  return renderMonthlyPdf(summary, { hospital: s.hospitalName(), generatedAt, utcOffset });
}
