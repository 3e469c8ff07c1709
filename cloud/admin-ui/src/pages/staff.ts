/** 人员 Staff: register one, bulk CSV import, certificate search and a staff member's certificate history. */
import { api } from '../api.js';
import { busy, clear, fmtTime, h, select, showOk, table } from '../dom.js';
import { ALGORITHMS, CERT_STATE_LABEL, CERT_STATUS_FILTER } from '../labels.js';
import { can, type Me } from '../session.js';
import type { Activation, CertificateRow, Paged, RequestView } from './types.js';

interface ImportResult {
  imported: number;
  errors: { row: number; field: string | null; code: string; message: string }[];
  staff: { id: string; employeeNo: string; name: string; department: string }[];
  requests: { employeeNo: string; request?: RequestView; activation?: Activation; error?: string }[];
}

export async function staffPage(view: HTMLElement, me: Me, staffId: string | undefined): Promise<void> {
  view.append(h('h2', {}, '人员 Staff'));
  if (staffId) return history(view, staffId);
  const manage = can.manageStaff(me);
  if (!manage) view.append(h('p', { class: 'muted' }, '当前角色只能查询 (your role can search only)'));
  view.append(registerForm(manage), importForm(manage), search());
}

function registerForm(enabled: boolean): HTMLElement {
  const f = {
    employeeNo: h('input', { id: 'staff-employeeNo', required: true, maxlength: 32 }),
    name: h('input', { id: 'staff-name', required: true, maxlength: 64 }),
    department: h('input', { id: 'staff-department', required: true, maxlength: 64 }),
    title: h('input', { id: 'staff-title', maxlength: 64 }),
  };
  const out = h('p', { id: 'staff-result' });
  const btn = h('button', { id: 'staff-submit', disabled: !enabled }, '登记 Register');
  btn.addEventListener('click', () =>
    void busy(btn, '正在保存… (saving)', async () => {
      const body: Record<string, string> = { employeeNo: f.employeeNo.value.trim(), name: f.name.value.trim(), department: f.department.value.trim() };
      if (f.title.value.trim()) body.title = f.title.value.trim();
      const r = await api.post<{ id: string; employeeNo: string }>('/api/v1/admin/staff', body);
      out.textContent = `已登记 (registered) ${r.employeeNo} · ${r.id}`;
      showOk('人员已登记 (staff member registered)');
    }),
  );
  return h(
    'section',
    {},
    h('h3', {}, '登记人员 Register a staff member'),
    h('div', { class: 'row' }, h('label', {}, '工号 Employee no.', f.employeeNo), h('label', {}, '姓名 Name', f.name), h('label', {}, '科室 Department', f.department), h('label', {}, '职称 Title', f.title), btn),
    out,
  );
}

function importForm(enabled: boolean): HTMLElement {
  const file = h('input', { id: 'import-file', type: 'file', accept: '.csv,text/csv' });
  const apply = h('input', { id: 'import-apply', type: 'checkbox' });
  const algorithm = select('import-algorithm', ALGORITHMS, 'sm2');
  const out = h('div', { id: 'import-result' });
  const btn = h('button', { id: 'import-submit', disabled: !enabled }, '导入 Import');
  btn.addEventListener('click', () =>
    void busy(btn, '正在导入… (importing)', async () => {
      clear(out);
      const f = file.files?.[0];
      if (!f) throw new Error('请选择 CSV 文件 (choose a CSV file)');
      const csv = await f.text();
      const r = await api.post<ImportResult>('/api/v1/admin/staff/import', { csv, ...(apply.checked ? { apply: { algorithm: algorithm.value } } : {}) });
      if (r.errors.length) {
        out.append(
          h('p', { class: 'error', id: 'import-rejected' }, `文件有 ${r.errors.length} 处错误，未导入任何人员 (the file has errors: nobody was imported)。请修正后重新导入 (fix them and import again)。`),
          table(
            [
              ['行 Row', (e) => e.row],
              ['字段 Field', (e) => e.field ?? '—'],
              ['错误码 Code', (e) => e.code],
              ['说明 Message', (e) => e.message],
            ],
            r.errors,
            { id: 'import-errors' },
          ),
        );
        return;
      }
      showOk(`已导入 ${r.imported} 人 (imported ${r.imported})`);
      out.append(h('p', { id: 'import-count', 'data-imported': r.imported }, `已导入 ${r.imported} 人 (imported ${r.imported})`));
      const codes = r.requests.filter((x) => x.activation || x.error || x.request);
      if (codes.length)
        out.append(
          h('p', { class: 'once' }, '激活码只显示这一次，请立即分发 (activation codes are shown once only: hand them out now)'),
          table(
            [
              ['工号 Employee no.', (x) => x.employeeNo],
              ['申请 Request', (x) => x.request?.status ?? '—'],
              ['激活码 Activation code', (x) => x.activation?.activationCode ?? '—'],
              ['二维码内容 QR payload', (x) => (x.activation ? h('span', { class: 'payload' }, x.activation.qr) : '—')],
              ['错误 Error', (x) => x.error ?? '—'],
            ],
            codes,
            { id: 'import-codes' },
          ),
        );
    }),
  );
  return h(
    'section',
    {},
    h('h3', {}, '批量导入 Bulk CSV import'),
    h('p', { class: 'muted' }, '表头 (header)：工号 employeeNo, 姓名 name, 科室 department（必填 required），职称 title, 执业证号 licenceNo, 身份证号 idNumber, 手机 mobile。全部导入或全部不导入 (all rows or none)。'),
    h('div', { class: 'row' }, h('label', {}, 'CSV 文件 file', file), h('label', { class: 'check' }, apply, '同时申请证书 (also request certificates)'), h('label', {}, '算法 Algorithm', algorithm), btn),
    out,
  );
}

function search(): HTMLElement {
  const status = select('cert-status', CERT_STATUS_FILTER);
  const department = h('input', { id: 'cert-department', maxlength: 64 });
  const algorithm = select('cert-algorithm', [['', '全部 (all)'], ...ALGORITHMS]);
  const employeeNo = h('input', { id: 'cert-employeeNo', maxlength: 32 });
  const out = h('div', { id: 'cert-result' });
  const btn = h('button', { id: 'cert-search' }, '查询 Search');
  btn.addEventListener('click', () =>
    void busy(btn, '查询中… (searching)', async () => {
      const r = await api.get<Paged<CertificateRow>>('/api/v1/admin/reports/certificates', { status: status.value, department: department.value.trim(), algorithm: algorithm.value, employeeNo: employeeNo.value.trim(), pageSize: 200 });
      clear(out);
      out.append(
        h('p', { class: 'muted' }, `共 ${r.total} 条 (total)；点击一行查看证书历史 (click a row for the history)`),
        table(
          [
            ['工号 No.', (c) => c.employeeNo],
            ['姓名 Name', (c) => c.name],
            ['科室 Dept.', (c) => c.department],
            ['状态 State', (c) => CERT_STATE_LABEL[c.state] ?? c.state],
            ['算法 Alg.', (c) => c.algorithm],
            ['序列号 Serial', (c) => c.serial ?? '—'],
            ['到期 Not after', (c) => fmtTime(c.notAfter)],
          ],
          r.rows,
          { id: 'certificates', onRow: (c) => (location.hash = `#/staff/${c.staffId}`) },
        ),
      );
    }),
  );
  return h(
    'section',
    {},
    h('h3', {}, '证书查询 Certificate search'),
    h('div', { class: 'row' }, h('label', {}, '状态 Status', status), h('label', {}, '科室 Department', department), h('label', {}, '算法 Algorithm', algorithm), h('label', {}, '工号 Employee no.', employeeNo), btn),
    out,
  );
}

async function history(view: HTMLElement, staffId: string): Promise<void> {
  const r = await api.get<{ staff: { employeeNo: string; name: string; department: string }; events: { at: string; label: string; serial: string | null; algorithm: string | null; reason: number | null }[] }>(
    `/api/v1/admin/reports/staff/${encodeURIComponent(staffId)}/history`,
  );
  view.append(
    h('p', {}, h('a', { href: '#/staff' }, '← 返回 Back')),
    h(
      'section',
      {},
      h('h3', {}, `证书历史 Certificate history：${r.staff.name}（${r.staff.employeeNo}，${r.staff.department}）`),
      table(
        [
          ['时间 Time', (e) => fmtTime(e.at)],
          ['事件 Event', (e) => e.label],
          ['序列号 Serial', (e) => e.serial ?? '—'],
          ['算法 Alg.', (e) => e.algorithm ?? '—'],
          ['原因 Reason', (e) => (e.reason === null ? '—' : e.reason)],
        ],
        r.events,
        { id: 'history' },
      ),
    ),
  );
}
