/**
 * 设置 Settings · 流程 Workflows · 模板 Templates · 管理员 Accounts. Changes are the sysadmin's;
 * the other roles see the same forms read-only (accounts: sysadmin only, as the API).
 */
import { api } from '../api.js';
import { busy, clear, fmtTime, h, select, showOk, table } from '../dom.js';
import { OPERATION_LABEL } from '../labels.js';
import { can, ROLE_LABEL, type Me, type Role, type Step } from '../session.js';

export async function systemPage(view: HTMLElement, me: Me): Promise<void> {
  const admin = can.system(me);
  view.append(h('h2', {}, '系统管理 System'));
  if (!admin) view.append(h('p', { class: 'muted' }, '只读：修改需要系统管理员 (read-only: changes need a sysadmin)'));
  view.append(await settings(admin), await workflows(admin), await templates(admin));
  if (admin) view.append(await accounts(me));
}

// ---- settings ----
type Settings = Record<string, string | number | number[] | null>;
const SETTING_FIELDS: [string, string, 'text' | 'number' | 'list'][] = [
  ['hospitalName', '医院名称 Hospital name', 'text'],
  ['crlUrl', 'CRL 地址 CRL URL（空为默认 empty = default）', 'text'],
  ['ocspUrl', 'OCSP 地址 OCSP URL', 'text'],
  ['tsaUrl', '时间戳地址 TSA URL', 'text'],
  ['sessionTimeoutSeconds', '签名会话超时（秒）Session timeout (s)', 'number'],
  ['maxApprovalWindowMinutes', '免密授权上限（分钟）Max approval window (min)', 'number'],
  ['renewalLeadDays', '提前更新天数 Renewal lead days（空为默认）', 'number'],
  ['reminderDays', '到期提醒天数 Reminder days (30,7,1)', 'list'],
  ['reminderHourLocal', '提醒时刻 Reminder hour (0–23)', 'number'],
];

async function settings(admin: boolean): Promise<HTMLElement> {
  const r = await api.get<{ settings: Settings; effect: Record<string, string> }>('/api/v1/admin/settings');
  const show = (v: Settings[string]) => (v === null ? '' : Array.isArray(v) ? v.join(',') : String(v));
  const inputs = SETTING_FIELDS.map(([key, label, type]) => {
    const el = h('input', { id: `setting-${key}`, value: show(r.settings[key] ?? null), disabled: !admin, size: type === 'text' ? 36 : 10 });
    return { key, label, type, el, initial: show(r.settings[key] ?? null) };
  });
  const save = h('button', { id: 'settings-save', disabled: !admin }, '保存设置 Save settings');
  save.addEventListener('click', () =>
    void busy(save, '正在保存… (saving)', async () => {
      const body: Settings = {};
      for (const i of inputs) {
        const v = i.el.value.trim();
        if (v === i.initial) continue;
        body[i.key] = v === '' ? null : i.type === 'number' ? Number(v) : i.type === 'list' ? v.split(/[,，\s]+/).filter(Boolean).map(Number) : v;
      }
      if (Object.keys(body).length === 0) throw new Error('没有修改 (nothing changed)');
      const next = await api.put<{ settings: Settings }>('/api/v1/admin/settings', body);
      for (const i of inputs) i.el.value = i.initial = show(next.settings[i.key] ?? null);
      showOk('设置已保存，立即生效 (settings saved; they apply now)');
    }),
  );
  return h('section', { id: 'settings' }, h('h3', {}, '系统设置 Settings'), h('div', { class: 'row' }, ...inputs.map((i) => h('label', {}, i.label, i.el))), save);
}

// ---- workflows ----
interface Workflow {
  operation: string;
  name: string;
  steps: Step[];
  autoApprove: boolean;
  expiryHours: number;
  updatedAt: string | null;
  updatedBy: string;
}
const APPROVER_ROLES: [string, string][] = [
  ['dept_approver', ROLE_LABEL.dept_approver],
  ['ra_officer', ROLE_LABEL.ra_officer],
  ['sysadmin', ROLE_LABEL.sysadmin],
];
const describeSteps = (w: Workflow) => (w.autoApprove && w.steps.length === 0 ? '自动通过 (auto-approve)' : w.steps.map((s, i) => `${i + 1}. ${s.name ?? ''} ${s.role}${s.departmentScope ? '（本科室 department）' : ''}`).join(' → '));

async function workflows(admin: boolean): Promise<HTMLElement> {
  const section = h('section', { id: 'workflows' }, h('h3', {}, '业务流程 Workflows'));
  const list = h('div');
  const editor = h('div', { id: 'workflow-editor' });
  const load = async () => {
    const r = await api.get<{ workflows: Workflow[] }>('/api/v1/admin/workflows');
    clear(list);
    list.append(
      table(
        [
          ['操作 Operation', (w) => OPERATION_LABEL[w.operation] ?? w.operation],
          ['步骤 Steps', (w) => describeSteps(w)],
          ['自动通过 Auto', (w) => (w.autoApprove ? '是 yes' : '否 no')],
          ['期限（小时）Expiry (h)', (w) => w.expiryHours],
          ['修改 Updated', (w) => `${w.updatedBy} ${w.updatedAt ? fmtTime(w.updatedAt) : ''}`],
        ],
        r.workflows,
        { id: 'workflow-table', rowAttrs: (w) => ({ 'data-operation': w.operation }) },
      ),
    );
    return r.workflows;
  };
  const all = await load();
  const op = select('wf-operation', all.map((w) => [w.operation, OPERATION_LABEL[w.operation] ?? w.operation]), 'apply');
  const auto = h('input', { id: 'wf-auto', type: 'checkbox', disabled: !admin });
  const expiry = h('input', { id: 'wf-expiry', type: 'number', min: 1, max: 720, disabled: !admin });
  const steps = h('div', { id: 'wf-steps' });
  const addStep = (s: Step = { role: 'ra_officer', departmentScope: false }) => {
    const role = select('', APPROVER_ROLES, s.role);
    const scope = h('input', { type: 'checkbox', class: 'wf-scope' });
    scope.checked = s.departmentScope;
    const name = h('input', { class: 'wf-name', value: s.name ?? '', maxlength: 40, placeholder: '科室主任审核' });
    role.className = 'wf-role';
    const row = h('div', { class: 'row wf-step' }, h('label', {}, '角色 Role', role), h('label', { class: 'check' }, scope, '限本科室 (department scope)'), h('label', {}, '名称 Name', name));
    const rm = h('button', { class: 'secondary', disabled: !admin }, '删除 Remove');
    rm.addEventListener('click', () => row.remove());
    row.append(rm);
    for (const el of [role, scope, name]) el.disabled = !admin;
    steps.append(row);
  };
  const fill = () => {
    const w = all.find((x) => x.operation === op.value)!;
    auto.checked = w.autoApprove;
    expiry.value = String(w.expiryHours);
    clear(steps);
    for (const s of w.steps) addStep(s);
  };
  op.addEventListener('change', fill);
  fill();
  const add = h('button', { id: 'wf-add-step', class: 'secondary', disabled: !admin, onclick: () => addStep() }, '添加步骤 Add step');
  const save = h('button', { id: 'wf-save', disabled: !admin }, '保存流程 Save workflow');
  save.addEventListener('click', () =>
    void busy(save, '正在保存… (saving)', async () => {
      const body = {
        autoApprove: auto.checked,
        expiryHours: Number(expiry.value),
        steps: [...steps.querySelectorAll('.wf-step')].map((row) => {
          const name = row.querySelector<HTMLInputElement>('.wf-name')!.value.trim();
          return { role: row.querySelector<HTMLSelectElement>('.wf-role')!.value, departmentScope: row.querySelector<HTMLInputElement>('.wf-scope')!.checked, ...(name ? { name } : {}) };
        }),
      };
      const w = await api.post<Workflow>(`/api/v1/admin/workflows/${op.value}`, body);
      const i = all.findIndex((x) => x.operation === w.operation);
      all[i] = w;
      await load();
      showOk(`流程已保存 (workflow saved)：${OPERATION_LABEL[w.operation] ?? w.operation} — ${describeSteps(w)}`);
    }),
  );
  editor.append(
    h('h3', {}, '编辑流程 Edit a workflow'),
    h('div', { class: 'row' }, h('label', {}, '操作 Operation', op), h('label', { class: 'check' }, auto, '自动通过 (auto-approve)'), h('label', {}, '申请期限（小时）Expiry (hours)', expiry)),
    steps,
    h('div', {}, add, save),
  );
  section.append(list, editor);
  return section;
}

// ---- templates ----
interface TemplateSummary {
  id: string;
  name: string;
  status: string;
  builtin: boolean;
  currentVersion: number;
  allowedAlgorithms: string[];
  legacy: boolean;
  emergency: boolean;
  updatedAt: string;
}
interface Changed {
  template: TemplateSummary;
  warnings: { code: string; message: string }[];
}

async function templates(admin: boolean): Promise<HTMLElement> {
  const section = h('section', { id: 'templates' }, h('h3', {}, '证书模板 Certificate templates'));
  const list = h('div');
  const detail = h('div', { id: 'template-detail' });
  const load = async () => {
    const r = await api.get<{ templates: TemplateSummary[] }>('/api/v1/admin/templates');
    clear(list);
    list.append(
      table(
        [
          ['编号 Id', (t) => t.id],
          ['名称 Name', (t) => t.name],
          ['状态 Status', (t) => (t.status === 'active' ? '启用 (active)' : '停用 (disabled)')],
          ['版本 Version', (t) => t.currentVersion],
          ['算法 Algorithms', (t) => t.allowedAlgorithms.join(', ')],
          ['说明 Notes', (t) => [t.builtin ? '内置 built-in' : '', t.legacy ? '旧算法 legacy' : '', t.emergency ? '应急 emergency' : ''].filter(Boolean).join(' · ') || '—'],
        ],
        r.templates,
        { id: 'template-table', onRow: (t) => void busy(null, '', () => open(t.id)) },
      ),
    );
  };
  const warn = (r: Changed) => showOk(`模板已保存 (template saved)：${r.template.id} v${r.template.currentVersion}${r.warnings.length ? ` — ${r.warnings.map((w) => `${w.message} [${w.code}]`).join('；')}` : ''}`);
  const open = async (id: string) => {
    const t = await api.get<TemplateSummary & { current: unknown; versions: { version: number; createdAt: string; createdBy: string }[] }>(`/api/v1/admin/templates/${encodeURIComponent(id)}`);
    clear(detail);
    const json = h('textarea', { id: 'template-json', disabled: !admin, spellcheck: 'false' });
    json.value = JSON.stringify(t.current, null, 2);
    const newId = h('input', { id: 'template-new-id', placeholder: 'staff-sm2-icu', disabled: !admin });
    const parse = () => {
      try {
        return JSON.parse(json.value) as unknown;
      } catch (e) {
        throw new Error(`JSON 格式错误 (invalid JSON)：${(e as Error).message}`);
      }
    };
    const saveVersion = h('button', { id: 'template-save', disabled: !admin }, '保存为新版本 Save as a new version');
    saveVersion.addEventListener('click', () => void busy(saveVersion, '正在保存… (saving)', async () => (warn(await api.post<Changed>(`/api/v1/admin/templates/${t.id}/versions`, { definition: parse(), expectedVersion: t.currentVersion })), await load(), await open(t.id))));
    const create = h('button', { id: 'template-create', class: 'secondary', disabled: !admin }, '另存为新模板 Create as a new template');
    create.addEventListener('click', () => void busy(create, '正在保存… (saving)', async () => (warn(await api.post<Changed>('/api/v1/admin/templates', { id: newId.value.trim(), definition: parse() })), await load())));
    const toggle = h('button', { id: 'template-toggle', class: 'secondary', disabled: !admin }, t.status === 'active' ? '停用 Disable' : '启用 Enable');
    toggle.addEventListener('click', () => void busy(toggle, '…', async () => (await api.post(`/api/v1/admin/templates/${t.id}/${t.status === 'active' ? 'disable' : 'enable'}`), await load(), await open(t.id))));
    detail.append(
      h('h3', {}, `${t.name}（${t.id}）v${t.currentVersion}`),
      h('p', { class: 'muted' }, `版本 Versions：${t.versions.map((v) => `v${v.version} ${v.createdBy} ${fmtTime(v.createdAt)}`).join('；')}`),
      json,
      h('div', { class: 'row' }, saveVersion, toggle, h('label', {}, '新模板编号 New template id', newId), create),
    );
  };
  await load();
  section.append(list, detail);
  return section;
}

// ---- accounts (sysadmin) ----
interface Account {
  username: string;
  role: Role;
  departments: string[];
  disabled: boolean;
  locked: boolean;
  lockedUntil: string | null;
  totpEnabled: boolean;
  mustChangePassword: boolean;
}
const ROLES: [string, string][] = Object.entries(ROLE_LABEL);
const depts = (s: string) => s.split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean);

async function accounts(me: Me): Promise<HTMLElement> {
  const section = h('section', { id: 'accounts' }, h('h3', {}, '管理员 Accounts'));
  const list = h('div');
  const who = select('acct-user', []);
  const load = async () => {
    const r = await api.get<{ accounts: Account[] }>('/api/v1/admin/accounts');
    clear(list);
    list.append(
      table(
        [
          ['用户名 Username', (a) => a.username],
          ['角色 Role', (a) => ROLE_LABEL[a.role]],
          ['科室 Departments', (a) => a.departments.join('、') || '—'],
          ['状态 State', (a) => [a.disabled ? '已停用 disabled' : '正常 active', a.locked ? `已锁定 locked 至 ${fmtTime(a.lockedUntil)}` : '', a.mustChangePassword ? '待改密 must change password' : '', a.totpEnabled ? 'TOTP' : ''].filter(Boolean).join(' · ')],
        ],
        r.accounts,
        { id: 'account-table', rowAttrs: (a) => ({ 'data-username': a.username }) },
      ),
    );
    const keep = who.value;
    clear(who);
    for (const a of r.accounts) who.append(h('option', { value: a.username }, a.username));
    if (keep) who.value = keep;
  };
  await load();

  const c = { username: h('input', { id: 'acct-new-username' }), role: select('acct-new-role', ROLES, 'ra_officer'), departments: h('input', { id: 'acct-new-departments', placeholder: '心内科,儿科' }), password: h('input', { id: 'acct-new-password', type: 'password', autocomplete: 'new-password' }) };
  const create = h('button', { id: 'acct-create' }, '新建 Create');
  create.addEventListener('click', () =>
    void busy(create, '正在保存… (saving)', async () => {
      const d = depts(c.departments.value);
      await api.post('/api/v1/admin/accounts', { username: c.username.value.trim(), role: c.role.value, password: c.password.value, ...(d.length ? { departments: d } : {}) });
      c.password.value = '';
      showOk(`已新建 (created) ${c.username.value.trim()}：首次登录须修改密码 (the password must be changed at first login)`);
      await load();
    }),
  );

  const role = select('acct-role', ROLES, 'ra_officer');
  const departments = h('input', { id: 'acct-departments', placeholder: '心内科,儿科' });
  const password = h('input', { id: 'acct-password', type: 'password', autocomplete: 'new-password' });
  const action = (id: string, label: string, run: (u: string) => Promise<unknown>, done: string, cls?: string) => {
    const b = h('button', { id, class: cls }, label);
    b.addEventListener('click', () =>
      void busy(b, '…', async () => {
        await run(who.value);
        showOk(`${who.value}：${done}`);
        await load();
      }),
    );
    return b;
  };
  const u = (name: string, tail: string) => `/api/v1/admin/accounts/${encodeURIComponent(name)}/${tail}`;
  section.append(
    list,
    h('h3', {}, '新建管理员 Create an account'),
    h('div', { class: 'row' }, h('label', {}, '用户名 Username', c.username), h('label', {}, '角色 Role', c.role), h('label', {}, '科室（科室审批人）Departments', c.departments), h('label', {}, '初始密码（≥ 12 位）Initial password', c.password), create),
    h('h3', {}, '管理账户 Manage an account'),
    h(
      'div',
      { class: 'row' },
      h('label', {}, '账户 Account', who),
      h('label', {}, '角色 Role', role),
      h('label', {}, '科室 Departments', departments),
      action('acct-set-role', '修改角色 Set role', (n) => { const d = depts(departments.value); return api.post(u(n, 'role'), { role: role.value, ...(d.length ? { departments: d } : {}) }); }, '角色已修改 (role changed)'),
    ),
    h(
      'div',
      { class: 'row' },
      action('acct-disable', '停用 Disable', (n) => api.post(u(n, 'disable')), '已停用 (disabled)', 'danger'),
      action('acct-enable', '启用 Enable', (n) => api.post(u(n, 'enable')), '已启用 (enabled)', 'secondary'),
      action('acct-unlock', '解锁 Unlock', (n) => api.post(u(n, 'unlock')), '已解锁 (unlocked)', 'secondary'),
      h('label', {}, '新密码 New password', password),
      action('acct-reset', '重置密码 Reset password', async (n) => { await api.post(u(n, 'password'), { password: password.value }); password.value = ''; }, '密码已重置，下次登录须修改 (reset: to be changed at the next login)', 'secondary'),
    ),
  );
  void me;
  return section;
}
