/** The console's shell: login state, the navigation and a hash router (#/dashboard, #/requests/…). */
import { api, ApiError, setUnauthorizedHandler, token, type SessionEnded } from './api.js';
import { clear, h, hideMessage, showError } from './dom.js';
import { can, ROLE_LABEL, session, type Me } from './session.js';
import { changePasswordPage, loginPage } from './pages/login.js';
import { dashboardPage } from './pages/dashboard.js';
import { requestsPage } from './pages/requests.js';
import { staffPage } from './pages/staff.js';
import { reportsPage } from './pages/reports.js';
import { auditPage } from './pages/audit.js';
import { systemPage } from './pages/system.js';

interface Page {
  path: string;
  label: string;
  visible: (me: Me) => boolean;
  render: (view: HTMLElement, me: Me, arg: string | undefined) => Promise<void> | void;
}

const PAGES: Page[] = [
  { path: 'dashboard', label: '仪表盘 Dashboard', visible: () => true, render: dashboardPage },
  { path: 'requests', label: '申请审批 Requests', visible: () => true, render: requestsPage },
  { path: 'staff', label: '人员 Staff', visible: () => true, render: staffPage },
  { path: 'reports', label: '报表 Reports', visible: () => true, render: reportsPage },
  { path: 'audit', label: '审计 Audit', visible: can.audit, render: auditPage },
  { path: 'system', label: '设置 Settings · 流程 Workflows · 模板 Templates · 管理员 Accounts', visible: () => true, render: systemPage },
];

const view = () => document.getElementById('view')!;

export function go(path: string): void {
  if (location.hash === `#/${path}`) void route();
  else location.hash = `#/${path}`;
}

/** Back to the login page (a 401, a logout): the token is gone from sessionStorage. */
function toLogin(ended?: SessionEnded): void {
  token.clear();
  session.me = null;
  document.getElementById('nav')!.hidden = true;
  document.getElementById('logout')!.hidden = true;
  document.getElementById('who')!.textContent = '';
  loginPage(view(), afterLogin);
  if (ended) showError(new ApiError(ended.status, ended.code, `登录已失效，请重新登录 (the session has ended; log in again)：${ended.message}`));
}

async function afterLogin(): Promise<void> {
  try {
    session.me = await api.get<Me>('/api/v1/admin/me');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) showError(e);
    return;
  }
  if (session.me.mustChangePassword) {
    changePasswordPage(view(), session.me, afterLogin);
    return;
  }
  renderNav(session.me);
  await route();
}

function renderNav(me: Me): void {
  const nav = document.getElementById('nav')!;
  clear(nav);
  for (const p of PAGES) if (p.visible(me)) nav.append(h('a', { href: `#/${p.path}`, 'data-page': p.path }, p.label));
  nav.hidden = false;
  document.getElementById('who')!.textContent = `${me.username} · ${ROLE_LABEL[me.role]}${me.departments.length ? ` · ${me.departments.join('、')}` : ''}`;
  document.getElementById('logout')!.hidden = false;
}

async function route(): Promise<void> {
  const me = session.me;
  if (!me) return;
  const [, name = 'dashboard', arg] = location.hash.split('/');
  const page = PAGES.find((p) => p.path === name && p.visible(me)) ?? PAGES[0]!;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a')) a.classList.toggle('active', a.dataset.page === page.path);
  hideMessage();
  const v = view();
  clear(v);
  v.dataset.page = page.path;
  try {
    await page.render(v, me, arg ? decodeURIComponent(arg) : undefined);
  } catch (e) {
    showError(e);
  }
}

function start(): void {
  setUnauthorizedHandler((e) => toLogin(e));
  document.getElementById('logout')!.addEventListener('click', async () => {
    try {
      await api.post('/api/v1/admin/logout');
    } catch {
      /* the token is dropped either way */
    }
    toLogin();
  });
  window.addEventListener('hashchange', () => void route());
  if (token.get()) void afterLogin();
  else toLogin();
}

start();
