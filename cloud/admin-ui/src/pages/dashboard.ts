/** 仪表盘 Dashboard: certificate and signature counts, requests waiting for me, notifications, emergency certificates. */
import { api } from '../api.js';
import { fmtTime, h, table } from '../dom.js';
import { localDay, OPERATION_LABEL } from '../labels.js';
import { stepIsMine, type Me } from '../session.js';
import type { Paged, RequestView } from './types.js';

interface Grant {
  status: string;
  employeeNo: string | null;
  staffName: string | null;
  department: string | null;
  workstation: string | null;
  validTo: string;
  certificateSerial: string | null;
}
const ENDED = new Set(['revoked', 'expired']);
const GRANT_STATUS: Record<string, string> = { issued: '已授权 (issued)', keygen: '生成密钥中 (key generation)', active: '使用中 (active)', locked: '已锁定 (locked)' };

const card = (id: string, label: string, n: number | string) => h('div', { class: 'card', id }, h('div', { class: 'n' }, n), h('div', { class: 'l' }, label));

export async function dashboardPage(view: HTMLElement, me: Me): Promise<void> {
  view.append(h('h2', {}, '仪表盘 Dashboard'));
  const today = localDay();
  const monthStart = `${today.slice(0, 8)}01`;
  const certs = (status: string) => api.get<Paged<unknown>>('/api/v1/admin/reports/certificates', { status, pageSize: 1 }).then((r) => r.total);
  const sigs = (from: string) => api.get<{ totals: { signatures: number } }>('/api/v1/admin/reports/signatures', { groupBy: 'day', from, to: today }).then((r) => r.totals.signatures);
  const [valid, expiring, hold, revoked, sigToday, sigMonth] = await Promise.all([certs('valid'), certs('expiring30'), certs('hold'), certs('revoked'), sigs(today), sigs(monthStart)]);
  view.append(
    h(
      'div',
      { class: 'cards', id: 'counts' },
      card('count-valid', '有效证书 (valid)', valid),
      card('count-expiring30', '30 天内到期 (expiring in 30 days)', expiring),
      card('count-hold', '已冻结 (on hold)', hold),
      card('count-revoked', '已吊销 (revoked)', revoked),
      card('count-sig-today', `今日签名 (signatures today, ${today})`, sigToday),
      card('count-sig-month', `本月签名 (signatures this month, from ${monthStart})`, sigMonth),
    ),
  );

  // requests whose current step is mine (my role, my departments), not my own
  const pending = (await api.get<{ requests: RequestView[] }>('/api/v1/admin/requests', { status: 'pending', limit: 200 })).requests;
  const mine = pending.filter((r) => stepIsMine(me, r.nextStep, r.department) && r.applicant !== me.username);
  view.append(
    h(
      'section',
      {},
      h('h3', {}, `待我审批 Waiting for me (${mine.length})`),
      table<RequestView>(
        [
          ['操作 Operation', (r) => OPERATION_LABEL[r.operation] ?? r.operation],
          ['对象 Subject', (r) => r.subject],
          ['科室 Department', (r) => r.department ?? '—'],
          ['申请人 Applicant', (r) => r.applicant],
          ['步骤 Step', (r) => `${r.step + 1}/${r.steps} ${r.nextStep?.name ?? ''}`],
          ['提交时间 Created', (r) => fmtTime(r.createdAt)],
        ],
        mine,
        { id: 'my-pending', onRow: (r) => (location.hash = `#/requests/${r.id}`), rowAttrs: (r) => ({ 'data-request': r.id }) },
      ),
    ),
  );

  const [notes, events] = await Promise.all([
    api.get<{ notifications: { id: string; title: string; message: string; createdAt: string; read: boolean }[] }>('/api/v1/admin/notifications', { limit: 10 }),
    api.get<{ events: { id: number; requestId: string; type: string; operation: string; department: string | null; at: string }[] }>('/api/v1/admin/workflow-events', { limit: 500 }),
  ]);
  view.append(
    h(
      'section',
      {},
      h('h3', {}, '到期提醒 Expiry reminders'),
      table(
        [
          ['时间 Time', (n) => fmtTime(n.createdAt)],
          ['标题 Title', (n) => n.title],
          ['内容 Message', (n) => n.message],
        ],
        notes.notifications,
        { id: 'notifications' },
      ),
      h('h3', {}, '流程通知 Workflow events'),
      table(
        [
          ['时间 Time', (e) => fmtTime(e.at)],
          ['事件 Event', (e) => e.type],
          ['操作 Operation', (e) => OPERATION_LABEL[e.operation] ?? e.operation],
          ['科室 Department', (e) => e.department ?? '—'],
        ],
        events.events.slice(-10).reverse(),
        { id: 'workflow-events', onRow: (e) => (location.hash = `#/requests/${e.requestId}`) },
      ),
    ),
  );

  // 应急证书: only when this cloud has the endpoint (GET /api/v1/admin/emergency, listed in its OpenAPI document)
  try {
    const doc = await api.get<{ paths?: Record<string, Record<string, unknown>> }>('/api/v1/openapi.json');
    if (doc.paths?.['/api/v1/admin/emergency']?.get) {
      const r = await api.get<{ grants: Grant[] }>('/api/v1/admin/emergency', { limit: 200 });
      const live = r.grants.filter((g) => !ENDED.has(g.status));
      view.append(
        h(
          'section',
          { id: 'emergency' },
          h('h3', {}, `应急证书 Active emergency certificates (${live.length})`),
          table<Grant>(
            [
              ['工号 No.', (g) => g.employeeNo ?? '—'],
              ['姓名 Name', (g) => g.staffName ?? '—'],
              ['科室 Dept.', (g) => g.department ?? '—'],
              ['工作站 Workstation', (g) => g.workstation ?? '—'],
              ['状态 Status', (g) => GRANT_STATUS[g.status] ?? g.status],
              ['有效至 Valid to', (g) => fmtTime(g.validTo)],
              ['证书序列号 Serial', (g) => g.certificateSerial ?? '—'],
            ],
            live,
            { id: 'emergency-grants' },
          ),
        ),
      );
    }
  } catch {
    /* optional panel: stay silent */
  }
}
