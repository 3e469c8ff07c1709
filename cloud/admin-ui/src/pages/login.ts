/** 登录 Login (with TOTP when the server asks) and the forced password change. */
import { api, ApiError, token } from '../api.js';
import { busy, clear, h, hideMessage, showError, showOk } from '../dom.js';
import type { Me } from '../session.js';

export function loginPage(view: HTMLElement, done: () => Promise<void>): void {
  clear(view);
  view.dataset.page = 'login';
  const username = h('input', { id: 'login-username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'login-password', type: 'password', autocomplete: 'current-password', required: true });
  const totp = h('input', { id: 'login-totp', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6, pattern: '\\d{6}' });
  const totpLabel = h('label', { id: 'totp-row', hidden: true }, '动态验证码 TOTP code', totp);
  const submit = h('button', { id: 'login-btn', type: 'submit' }, '登录 Log in');
  const form = h(
    'form',
    {},
    h('label', {}, '用户名 Username', username),
    h('label', {}, '密码 Password', password),
    totpLabel,
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(submit, '正在登录… (logging in)', async () => {
      try {
        const body: Record<string, string> = { username: username.value.trim(), password: password.value };
        if (!totpLabel.hidden && totp.value) body.totp = totp.value.trim();
        const r = await api.post<{ token: string }>('/api/v1/admin/login', body);
        token.set(r.token);
        password.value = '';
        hideMessage();
        await done();
      } catch (err) {
        if (err instanceof ApiError && (err.code === 'TOTP_REQUIRED' || err.code === 'TOTP_INVALID')) {
          totpLabel.hidden = false;
          totp.value = '';
          totp.focus();
        }
        throw err; // shown by busy(): the server's message and code (e.g. ACCOUNT_LOCKED with the time it ends)
      }
    });
  });
  view.append(h('section', { class: 'login' }, h('h2', {}, '管理员登录 Administrator login'), form));
  username.focus();
}

export function changePasswordPage(view: HTMLElement, me: Me, done: () => Promise<void>): void {
  clear(view);
  view.dataset.page = 'change-password';
  const oldPw = h('input', { id: 'old-password', type: 'password', autocomplete: 'current-password', required: true });
  const newPw = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', required: true });
  const again = h('input', { id: 'new-password-again', type: 'password', autocomplete: 'new-password', required: true });
  const submit = h('button', { id: 'change-password-btn', type: 'submit' }, '修改密码 Change password');
  const form = h('form', {}, h('label', {}, '当前密码 Current password', oldPw), h('label', {}, '新密码（至少 12 位）New password (≥ 12)', newPw), h('label', {}, '再次输入 Repeat', again), submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (newPw.value !== again.value) {
      showError(new Error('两次输入的新密码不一致 (the new passwords differ)'));
      return;
    }
    void busy(submit, '正在保存… (saving)', async () => {
      await api.post('/api/v1/admin/me/password', { oldPassword: oldPw.value, newPassword: newPw.value });
      oldPw.value = newPw.value = again.value = '';
      showOk('密码已修改 (password changed)');
      await done();
    });
  });
  view.append(
    h(
      'section',
      { class: 'login' },
      h('h2', {}, '请修改初始密码 Change your password'),
      h('p', { class: 'muted' }, `${me.username}：首次登录或密码被重置后，必须先修改密码 (a new or reset password must be changed before anything else)`),
      form,
    ),
  );
  oldPw.focus();
}
