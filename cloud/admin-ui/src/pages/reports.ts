/** 报表 Reports: one query form whose filter the CSV/XLSX exports reuse, and the monthly PDF. */
import { api, type Query } from '../api.js';
import { busy, clear, fmtTime, h, select, showOk, table } from '../dom.js';
import { ALGORITHMS, CERT_STATE_LABEL, CERT_STATUS_FILTER, localDay } from '../labels.js';
import type { Me } from '../session.js';

type Kind = 'certificates' | 'staff' | 'signatures';
type Row = Record<string, unknown>;

const COLUMNS: Record<Kind, [string, string][]> = {
  certificates: [['employeeNo', '工号 No.'], ['name', '姓名 Name'], ['department', '科室 Dept.'], ['state', '状态 State'], ['algorithm', '算法 Alg.'], ['templateId', '模板 Template'], ['serial', '序列号 Serial'], ['notAfter', '到期 Not after']],
  staff: [['employeeNo', '工号 No.'], ['name', '姓名 Name'], ['department', '科室 Dept.'], ['title', '职称 Title'], ['state', '状态 State'], ['algorithm', '算法 Alg.'], ['certificates', '证书数 Certificates']],
  signatures: [['label', '名称 Label'], ['department', '科室 Dept.'], ['signatures', '签名数 Signatures'], ['sessions', '会话 Sessions'], ['refused', '拒绝 Refused'], ['timeout', '超时 Timed out'], ['failed', '失败 Failed']],
};

const cell = (k: string, v: unknown) => (v === null || v === undefined ? '—' : k === 'state' ? (CERT_STATE_LABEL[String(v)] ?? String(v)) : k === 'notAfter' ? fmtTime(String(v)) : String(v));

export function reportsPage(view: HTMLElement, _me: Me): void {
  view.append(h('h2', {}, '报表 Reports'));
  const kind = select('report-kind', [['certificates', '证书查询 (certificates)'], ['staff', '人员查询 (staff)'], ['signatures', '签名统计 (signatures)']], 'certificates');
  const filters = h('div', { class: 'row', id: 'report-filters' });
  const inputs: Record<string, HTMLInputElement | HTMLSelectElement> = {};
  const add = (name: string, label: string, el: HTMLInputElement | HTMLSelectElement) => {
    el.id = `report-${name}`;
    inputs[name] = el;
    filters.append(h('label', {}, label, el));
  };
  const renderFilters = () => {
    clear(filters);
    for (const k of Object.keys(inputs)) delete inputs[k];
    if (kind.value === 'signatures') {
      add('groupBy', '分组 Group by', select('', [['user', '按人员 (user)'], ['department', '按科室 (department)'], ['app', '按应用 (app)'], ['day', '按日 (day)']], 'department'));
      add('from', '从 From', h('input', { type: 'date' }));
      add('to', '到 To', h('input', { type: 'date', value: localDay() }));
      add('department', '科室 Department', h('input'));
      add('app', '应用 App', h('input'));
    } else {
      add('status', '状态 Status', select('', kind.value === 'staff' ? [...CERT_STATUS_FILTER, ['none', '无证书 (none)']] : CERT_STATUS_FILTER));
      add('department', '科室 Department', h('input'));
      add('algorithm', '算法 Algorithm', select('', [['', '全部 (all)'], ...ALGORITHMS]));
      add('template', '模板 Template', h('input'));
      if (kind.value === 'staff') add('q', '工号或姓名 No. or name', h('input'));
      else {
        add('issuedFrom', '签发从 Issued from', h('input', { type: 'date' }));
        add('issuedTo', '签发到 Issued to', h('input', { type: 'date' }));
      }
    }
  };
  kind.addEventListener('change', renderFilters);
  renderFilters();
  const filter = (): Query => Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()]));
  const path = () => `/api/v1/admin/reports/${kind.value}`;

  const out = h('div', { id: 'report-result' });
  const run = h('button', { id: 'report-run' }, '查询 Run');
  run.addEventListener('click', () =>
    void busy(run, '查询中… (running)', async () => {
      const k = kind.value as Kind;
      const r = await api.get<{ total?: number; rows: Row[]; totals?: Row }>(path(), { ...filter(), ...(k === 'signatures' ? {} : { pageSize: 500 }) });
      clear(out);
      out.append(
        h('p', { class: 'muted', id: 'report-total' }, r.total !== undefined ? `共 ${r.total} 条 (total)，显示前 ${r.rows.length} 条 (showing)` : `签名合计 (signatures in total)：${String(r.totals?.signatures ?? 0)}`),
        table(COLUMNS[k].map(([key, label]) => [label, (row: Row) => cell(key, row[key])] as [string, (row: Row) => string]), r.rows, { id: 'report-table' }),
      );
    }),
  );
  const exporter = (format: 'csv' | 'xlsx') => {
    const b = h('button', { id: `export-${format}`, class: 'secondary' }, `导出 Export ${format.toUpperCase()}`);
    b.addEventListener('click', () =>
      void busy(b, '正在生成… (generating)', async () => {
        const f = await api.download(`${path()}/export`, { ...filter(), format }, `${kind.value}.${format}`);
        showOk(`已下载 (downloaded) ${f.name}（${f.size} 字节 bytes）`);
      }),
    );
    return b;
  };
  view.append(h('section', {}, h('h3', {}, '查询 Query'), h('div', { class: 'row' }, h('label', {}, '报表 Report', kind)), filters, h('div', {}, run, exporter('csv'), exporter('xlsx')), out));

  const month = h('input', { id: 'monthly-month', type: 'month', value: localDay().slice(0, 7) });
  const pdf = h('button', { id: 'monthly-pdf' }, '生成月度报表 PDF (monthly report)');
  pdf.addEventListener('click', () =>
    void busy(pdf, '正在生成… (generating)', async () => {
      const f = await api.download('/api/v1/admin/reports/monthly', { month: month.value }, `monthly-${month.value}.pdf`);
      showOk(`已下载 (downloaded) ${f.name}（${f.size} 字节 bytes）`);
    }),
  );
  view.append(h('section', {}, h('h3', {}, '月度报表 Monthly PDF'), h('div', { class: 'row' }, h('label', {}, '月份 Month', month), pdf)));
}
