/**
 * Administrator and system management (管理员管理 / 系统管理, issue 7): accounts (sysadmin), the
 * caller's own account (password, TOTP) and the system settings. Thin adapters to AdminService
 * and SettingsService; roles are checked by mountJson from each route's `roles`.
 */
import { z } from 'zod';
import { ADMIN_ROLES, AdminErrors, type AdminView } from '../domain/admins.js';
import { SETTING_EFFECT, SettingsUpdateSchema, type Settings } from '../domain/settings.js';
import type { AdminRecord, AdminRole } from '../store/repositories.js';
import { defineJson, type AnyJsonRoute } from './api.js';
import type { Services } from './routes.js';

const EVERY_ROLE: AdminRole[] = ['ra_officer', 'dept_approver', 'auditor'];
const SYSADMIN_ONLY: AdminRole[] = [];

const Username = z.string().regex(/^[A-Za-z0-9._-]{3,64}$/, 'username: 3–64 of A–Z a–z 0–9 . _ -');
const Role = z.enum(ADMIN_ROLES);
const Departments = z.array(z.string().trim().min(1).max(64)).max(50);
const Password = z.string().min(1).max(256); // the length rule (≥ 12) answers its own message
const Code = z.string().regex(/^\d{6}$/);

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const AdminViewSchema = z.object({
  username: z.string(),
  role: Role,
  departments: z.array(z.string()),
  disabled: z.boolean(),
  locked: z.boolean(),
  lockedUntil: z.string().nullable(),
  totpEnabled: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  passwordChangedAt: z.string().nullable(),
});
const out = (a: AdminView) => ({ ...a, lockedUntil: iso(a.lockedUntil), createdAt: iso(a.createdAt)!, passwordChangedAt: iso(a.passwordChangedAt) });

const SettingsView = z.object({
  settings: z.object({
    hospitalName: z.string(),
    crlUrl: z.string().nullable(),
    ocspUrl: z.string().nullable(),
    tsaUrl: z.string().nullable(),
    sessionTimeoutSeconds: z.number().int(),
    maxApprovalWindowMinutes: z.number().int(),
    renewalLeadDays: z.number().int().nullable(),
    reminderDays: z.array(z.number().int()),
    reminderHourLocal: z.number().int(),
  }),
  /** when each setting takes effect in a running cloud */
  effect: z.record(z.string(), z.enum(['immediate', 'restart'])),
});
const settingsOut = (s: Settings) => ({ settings: s, effect: SETTING_EFFECT });

const Ok = z.object({ ok: z.literal(true) });

/** Paths an administrator whose password was reset may still call. */
const WHILE_PASSWORD_RESET = new Set(['/api/v1/admin/me', '/api/v1/admin/me/password', '/api/v1/admin/logout']);

/** After a reset (or on a new account), only the own-password change is allowed until it is done. */
export function checkPasswordChanged(admin: AdminRecord, path: string): AdminRecord {
  if (admin.mustChangePassword && !WHILE_PASSWORD_RESET.has(path)) throw AdminErrors.passwordChangeRequired();
  return admin;
}

const bearerOf = (authorization: string | undefined) => (authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined);

export function adminRoutes(services: Services): AnyJsonRoute[] {
  /** Every change goes to the audit log in the change's transaction; a refusal is recorded with its error code. Never a password or secret. */
  const audited = <T>(admin: AdminRecord | undefined, action: string, target: string | undefined, fn: () => T, details?: (r: T) => Record<string, unknown>): T =>
    services.audit.asAdmin(admin, action, target, fn, details);
  const roleDetails = (v: AdminView) => ({ role: v.role, departments: v.departments });
  const account = (params: Record<string, string>) => Username.parse(params.username);

  return [
    // ---- the caller's own account ----
    defineJson({
      method: 'get',
      path: '/api/v1/admin/me',
      summary: '当前管理员 (who am I: role, departments, TOTP, whether the password must be changed)',
      auth: 'admin',
      roles: EVERY_ROLE,
      response: AdminViewSchema,
      handler: ({ admin }) => out(services.admins.get(admin!.username)),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/me/password',
      summary: '修改本人密码 (change your own password with the current one; your other sessions end)',
      auth: 'admin',
      roles: EVERY_ROLE,
      body: z.object({ oldPassword: Password, newPassword: Password }).strict(),
      response: AdminViewSchema,
      handler: ({ admin, body, req }) => {
        return out(audited(admin, 'admin.password.change', admin!.username, () => services.admins.changeOwnPassword(admin!.username, body.oldPassword, body.newPassword, bearerOf(req.get('authorization')))));
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/me/totp',
      summary: '登记动态验证码 (enrol TOTP: a secret and its otpauth:// URI, required at login once confirmed)',
      auth: 'admin',
      roles: EVERY_ROLE,
      response: z.object({ secret: z.string(), uri: z.string() }),
      handler: ({ admin }) => {
        return audited(admin, 'admin.totp.enrol', admin!.username, () => services.admins.enrolTotp(admin!.username));
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/me/totp/confirm',
      summary: '确认动态验证码 (confirm the enrolment with a current code; from then on login needs totp)',
      auth: 'admin',
      roles: EVERY_ROLE,
      body: z.object({ code: Code }).strict(),
      response: AdminViewSchema,
      handler: ({ admin, body }) => {
        return out(audited(admin, 'admin.totp.confirm', admin!.username, () => services.admins.confirmTotp(admin!.username, body.code)));
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/me/totp/disable',
      summary: '停用动态验证码 (turn your TOTP off with a current code)',
      auth: 'admin',
      roles: EVERY_ROLE,
      body: z.object({ code: Code }).strict(),
      response: AdminViewSchema,
      handler: ({ admin, body }) => {
        return out(audited(admin, 'admin.totp.disable', admin!.username, () => services.admins.disableOwnTotp(admin!.username, body.code)));
      },
    }),

    // ---- accounts (sysadmin) ----
    defineJson({
      method: 'get',
      path: '/api/v1/admin/accounts',
      summary: '管理员列表 (every administrator account; sysadmin)',
      auth: 'admin',
      roles: SYSADMIN_ONLY,
      response: z.object({ accounts: z.array(AdminViewSchema) }),
      handler: () => ({ accounts: services.admins.list().map(out) }),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/accounts',
      summary: '新建管理员 (create an account: role, departments for dept_approver only, an initial password of ≥ 12 characters the holder changes at first login)',
      auth: 'admin',
      roles: SYSADMIN_ONLY,
      body: z.object({ username: Username, role: Role, departments: Departments.optional(), password: Password }).strict(),
      response: AdminViewSchema,
      handler: ({ admin, body }) => {
        return out(audited(admin, 'admin.create', body.username, () => services.admins.create(body, admin!.username), roleDetails));
      },
    }),
    defineJson({
      method: 'get',
      path: '/api/v1/admin/accounts/{username}',
      summary: '查询管理员 (one account; sysadmin)',
      auth: 'admin',
      roles: SYSADMIN_ONLY,
      response: AdminViewSchema,
      handler: ({ params }) => out(services.admins.get(account(params))),
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/accounts/{username}/role',
      summary: '修改角色与科室 (change the role and departments; the last sysadmin keeps the role)',
      auth: 'admin',
      roles: SYSADMIN_ONLY,
      body: z.object({ role: Role, departments: Departments.optional() }).strict(),
      response: AdminViewSchema,
      handler: ({ admin, params, body }) => {
        return out(audited(admin, 'admin.role', params.username, () => services.admins.setRole(account(params), body.role, body.departments), roleDetails));
      },
    }),
    ...(['disable', 'enable'] as const).map((action) =>
      defineJson({
        method: 'post',
        path: `/api/v1/admin/accounts/{username}/${action}`,
        summary: action === 'disable' ? '停用管理员 (disable: login refused, tokens end; not the last sysadmin)' : '启用管理员 (enable a disabled account)',
        auth: 'admin',
        roles: SYSADMIN_ONLY,
        response: AdminViewSchema,
        handler: ({ admin, params }) => {
          return out(audited(admin, `admin.${action}`, params.username, () => services.admins.setDisabled(account(params), action === 'disable')));
        },
      }),
    ),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/accounts/{username}/unlock',
      summary: '解锁管理员 (end a lock after failed logins)',
      auth: 'admin',
      roles: SYSADMIN_ONLY,
      response: AdminViewSchema,
      handler: ({ admin, params }) => {
        return out(audited(admin, 'admin.unlock', params.username, () => services.admins.unlock(account(params))));
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/accounts/{username}/password',
      summary: '重置密码 (set a new password; the holder must change it at the next login; their sessions end)',
      auth: 'admin',
      roles: SYSADMIN_ONLY,
      body: z.object({ password: Password }).strict(),
      response: AdminViewSchema,
      handler: ({ admin, params, body }) => {
        return out(audited(admin, 'admin.password.reset', params.username, () => services.admins.resetPassword(account(params), body.password)));
      },
    }),
    defineJson({
      method: 'post',
      path: '/api/v1/admin/accounts/{username}/totp/disable',
      summary: '停用他人动态验证码 (turn off an administrator’s TOTP, e.g. a lost phone)',
      auth: 'admin',
      roles: SYSADMIN_ONLY,
      response: AdminViewSchema,
      handler: ({ admin, params }) => {
        return out(audited(admin, 'admin.totp.clear', params.username, () => services.admins.clearTotp(account(params))));
      },
    }),
    defineJson({
      method: 'delete',
      path: '/api/v1/admin/accounts/{username}',
      summary: '删除管理员 (delete an account; not your own, not the last sysadmin)',
      auth: 'admin',
      roles: SYSADMIN_ONLY,
      response: Ok,
      handler: ({ admin, params }) => {
        audited(admin, 'admin.delete', params.username, () => services.admins.delete(account(params), admin!.username));
        return { ok: true as const };
      },
    }),

    // ---- system settings ----
    defineJson({
      method: 'get',
      path: '/api/v1/admin/settings',
      summary: '系统设置 (hospital name, CRL/OCSP/TSA URL overrides, session timeout, time-window cap, renewal lead time, reminders)',
      auth: 'admin',
      roles: EVERY_ROLE,
      response: SettingsView,
      handler: () => settingsOut(services.settings.current()),
    }),
    defineJson({
      method: 'put',
      path: '/api/v1/admin/settings',
      summary: '修改系统设置 (change any subset of the settings; null clears an optional one; unknown keys are refused)',
      auth: 'admin',
      roles: SYSADMIN_ONLY,
      body: SettingsUpdateSchema,
      response: SettingsView,
      handler: ({ admin, body }) => {
        return settingsOut(audited(admin, 'settings.update', 'settings', () => services.settings.update(body, admin!.username), () => ({ ...body })));
      },
    }),
  ];
}
