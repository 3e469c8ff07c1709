/** 申请审批 Requests: list with filters, detail with decisions, approve / reject / withdraw, and new requests. */
import { activationBox } from '../activation.js';
import { api } from '../api.js';
import { busy, clear, fmtTime, h, select, showError, showOk, table } from '../dom.js';
import { ALGORITHMS, OPERATION_LABEL, REQUESTABLE, REVOCATION_REASONS, STATUS_LABEL } from '../labels.js';
import { can, stepIsMine, type Me } from '../session.js';
import type { Activation, Paged, RequestView, StaffRow } from './types.js';

const badge = (status: string) => h('span', { class: `badge ${status}`, 'data-status': status }, STATUS_LABEL[status] ?? status);

export async function requestsPage(view: HTMLElement, me: Me, id: string | undefined): Promise<void> {
  if (id) return detail(view, me, id);
  view.append(h('h2', {}, '申请审批 Requests'));
  if (can.request(me)) view.append(createForm(me));

  const status = select('filter-status', [['', '全部状态 (any status)'], ...Object.entries(STATUS_LABEL)], 'pending');
  const operation = select('filter-operation', [['', '全部操作 (any operation)'], ...Object.entries(OPERATION_LABEL)]);
  const list = h('div', { id: 'request-list' });
  const load = async () => {
    const r = await api.get<{ requests: RequestView[] }>('/api/v1/admin/requests', { status: status.value, operation: operation.value, limit: 200 });
    clear(list);
    list.append(
      table<RequestView>(
        [
          ['操作 Operation', (x) => OPERATION_LABEL[x.operation] ?? x.operation],
          ['对象 Subject', (x) => x.subject],
          ['科室 Department', (x) => x.department ?? '—'],
          ['申请人 Applicant', (x) => x.applicant],
          ['状态 Status', (x) => badge(x.status)],
          ['步骤 Step', (x) => `${Math.min(x.step + 1, x.steps)}/${x.steps}`],
          ['提交时间 Created', (x) => fmtTime(x.createdAt)],
        ],
        r.requests,
        { id: 'requests', onRow: (x) => (location.hash = `#/requests/${x.id}`), rowAttrs: (x) => ({ 'data-request': x.id }) },
      ),
    );
  };
  const refresh = h('button', { id: 'filter-btn', onclick: () => void busy(refresh, '查询中… (loading)', load) }, '查询 Filter');
  view.append(h('section', {}, h('h3', {}, '申请列表 Request list'), h('div', { class: 'row' }, h('label', {}, '状态 Status', status), h('label', {}, '操作 Operation', operation), refresh), list));
  await load();
}

/** A new request: the fields of the chosen operation. */
function createForm(me: Me): HTMLElement {
  const op = select('new-op', REQUESTABLE.map((o) => [o, OPERATION_LABEL[o]!]), 'apply');
  const fields = h('div', { class: 'row' });
  const out = h('div', { id: 'new-result' });
  const inputs: Record<string, HTMLInputElement | HTMLSelectElement> = {};
  const add = (name: string, label: string, el: HTMLInputElement | HTMLSelectElement) => {
    el.id = `new-${name}`;
    inputs[name] = el;
    fields.append(h('label', {}, label, el));
  };
  const renderFields = () => {
    clear(fields);
    for (const k of Object.keys(inputs)) delete inputs[k];
    if (op.value === 'apply') {
      add('employeeNo', '工号 Employee no.', h('input', { required: true }));
      add('algorithm', '算法 Algorithm', select('', ALGORITHMS, 'sm2'));
      add('templateId', '模板（可选）Template (optional)', h('input', { placeholder: 'staff-sm2' }));
    } else {
      add('serial', '证书序列号 Certificate serial', h('input', { required: true, size: 42 }));
      if (op.value === 'revoke') add('reason', '吊销原因 Reason', select('', REVOCATION_REASONS, '0'));
      if (op.value === 'pin_unlock') add('identityCheck', '身份核验方式 Identity check (how you checked it is them)', h('input', { required: true, placeholder: '核对工牌与身份证 (badge and ID card checked)', size: 36 }));
      if (op.value === 'replace') {
        add('revocationReason', '旧证书吊销原因 Old certificate reason', select('', [['1', '1 密钥泄露 (keyCompromise)'], ['4', '4 已被取代 (superseded)']], '1'));
        add('algorithm', '新证书算法 New algorithm', select('', [['', '与旧证书相同 (same as before)'], ...ALGORITHMS]));
      }
    }
    add('note', '备注（可选）Note (optional)', h('input', { maxlength: 200, size: 30 }));
  };
  op.addEventListener('change', renderFields);
  renderFields();
  const submit = h('button', { id: 'new-submit' }, '提交申请 Submit request');
  submit.addEventListener('click', () =>
    void busy(submit, '正在提交… (submitting)', async () => {
      clear(out);
      const v = (k: string) => inputs[k]?.value.trim() ?? '';
      const body: Record<string, unknown> = { operation: op.value };
      if (op.value === 'apply') {
        const employeeNo = v('employeeNo');
        const found = await api.get<Paged<StaffRow>>('/api/v1/admin/reports/staff', { q: employeeNo, pageSize: 50 });
        const staff = found.rows.find((r) => r.employeeNo === employeeNo);
        if (!staff) throw new Error(`没有工号为 ${employeeNo} 的人员，请先登记 (no staff member with this employee number: register them first)`);
        body.staffId = staff.staffId;
        body.algorithm = v('algorithm');
        if (v('templateId')) body.templateId = v('templateId');
      } else {
        body.serial = v('serial');
        if (op.value === 'revoke') body.reason = Number(v('reason'));
        if (op.value === 'pin_unlock') body.identityCheck = v('identityCheck');
        if (op.value === 'replace') {
          body.revocationReason = Number(v('revocationReason'));
          if (v('algorithm')) body.algorithm = v('algorithm');
        }
      }
      if (v('note')) body.note = v('note');
      const r = await api.post<{ request: RequestView; activation?: Activation }>('/api/v1/admin/requests', body);
      showOk(`申请已提交 (request submitted)：${STATUS_LABEL[r.request.status] ?? r.request.status}`);
      out.append(h('p', {}, '申请 Request ', h('a', { href: `#/requests/${r.request.id}`, id: 'new-request-link' }, r.request.id), ' ', badge(r.request.status)));
      if (r.activation) out.append(activationBox(r.activation));
    }),
  );
  void me;
  return h('section', { id: 'new-request' }, h('h3', {}, '新申请 New request'), h('div', { class: 'row' }, h('label', {}, '操作 Operation', op)), fields, submit, out);
}

async function detail(view: HTMLElement, me: Me, id: string): Promise<void> {
  const r = await api.get<{ request: RequestView; decisions: { step: number; admin: string; decision: string; reason: string | null; at: string }[] }>(`/api/v1/admin/requests/${encodeURIComponent(id)}`);
  const q = r.request;
  const once = h('div', { id: 'activation-slot' });
  view.append(
    h('p', {}, h('a', { href: '#/requests' }, '← 返回列表 Back to the list')),
    h(
      'section',
      { id: 'request-detail', 'data-request': q.id, 'data-status': q.status },
      h('h2', {}, `${OPERATION_LABEL[q.operation] ?? q.operation} · `, badge(q.status)),
      table<[string, string]>(
        [
          ['', (x) => x[0]],
          ['', (x) => x[1]],
        ],
        [
          ['申请编号 Request', q.id],
          ['对象 Subject', q.subject],
          ['科室 Department', q.department ?? '—'],
          ['申请人 Applicant', q.applicant],
          ['当前步骤 Step', q.status === 'pending' ? `${q.step + 1}/${q.steps} ${q.nextStep ? `${q.nextStep.name ?? ''} (${q.nextStep.role}${q.nextStep.departmentScope ? '，本科室 department scope' : ''})` : ''}` : `${q.steps}`],
          ['提交时间 Created', fmtTime(q.createdAt)],
          ['过期时间 Expires', fmtTime(q.expiresAt)],
          ['决定时间 Decided', fmtTime(q.decidedAt)],
          ['错误 Error', q.error ?? '—'],
        ],
      ),
      h('h3', {}, '申请内容 Payload'),
      h('pre', {}, JSON.stringify(q.payload, null, 2)),
      q.result ? h('h3', {}, '结果 Result') : null,
      q.result ? h('pre', { id: 'request-result' }, JSON.stringify(q.result, null, 2)) : null,
      h('h3', {}, '审批记录 Decisions'),
      table(
        [
          ['步骤 Step', (d) => d.step + 1],
          ['审批人 By', (d) => d.admin],
          ['决定 Decision', (d) => (d.decision === 'approve' ? '通过 (approved)' : '驳回 (rejected)')],
          ['原因/意见 Reason', (d) => d.reason ?? '—'],
          ['时间 Time', (d) => fmtTime(d.at)],
        ],
        r.decisions,
        { id: 'decisions' },
      ),
      once,
    ),
  );
  if (q.status !== 'pending' || !can.request(me)) return;

  const comment = h('input', { id: 'decision-comment', maxlength: 200, size: 40, placeholder: '审批意见（通过时可选，驳回/撤回时必填）' });
  const mine = stepIsMine(me, q.nextStep, q.department);
  const approve = h('button', { id: 'approve-btn', disabled: !mine, title: mine ? '' : '当前步骤不由您审批 (this step is not yours)' }, '通过 Approve');
  const reject = h('button', { id: 'reject-btn', class: 'danger', disabled: !mine }, '驳回 Reject');
  const cancel = h('button', { id: 'cancel-btn', class: 'secondary', disabled: q.applicant !== me.username && me.role !== 'sysadmin' }, '撤回 Withdraw');
  const after = async (res: { request: RequestView; activation?: Activation }, text: string) => {
    showOk(`${text}：${STATUS_LABEL[res.request.status] ?? res.request.status}`);
    clear(view);
    await detail(view, me, id);
    // the code is in this answer only: show it now; reloading the page will not bring it back
    if (res.activation) view.querySelector('#activation-slot')!.append(activationBox(res.activation));
  };
  const needReason = (what: string) => {
    if (comment.value.trim()) return true;
    showError(new Error(`请填写${what}原因 (a reason is required)`));
    comment.focus();
    return false;
  };
  approve.addEventListener('click', () =>
    void busy(approve, '正在提交… (submitting)', async () => after(await api.post(`/api/v1/admin/requests/${q.id}/approve`, comment.value.trim() ? { comment: comment.value.trim() } : {}), '已通过 (approved)')),
  );
  reject.addEventListener('click', () => {
    if (needReason('驳回')) void busy(reject, '正在提交… (submitting)', async () => after(await api.post(`/api/v1/admin/requests/${q.id}/reject`, { reason: comment.value.trim() }), '已驳回 (rejected)'));
  });
  cancel.addEventListener('click', () => {
    if (needReason('撤回')) void busy(cancel, '正在提交… (submitting)', async () => after(await api.post(`/api/v1/admin/requests/${q.id}/cancel`, { reason: comment.value.trim() }), '已撤回 (withdrawn)'));
  });
  view.append(h('section', { id: 'decide' }, h('h3', {}, '审批 Decide'), h('label', {}, '意见/原因 Comment or reason', comment), h('div', {}, approve, reject, cancel)));
}
