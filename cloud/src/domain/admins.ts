/**
 * Administrators (管理员): scrypt password hashes, bearer tokens stored only as SHA-256, roles
 * with department scopes, lockout after failed logins, optional TOTP (RFC 6238) with the secret
 * sealed under the KEK, and the first administrator created at bootstrap (password from
 * MEDSIGN_ADMIN_PASSWORD, or a random one returned once so the operator can read it off the console).
 *
 * Login answers one error (UNAUTHORIZED) for an unknown user, a wrong password, a disabled
 * account and a locked account with a wrong password. Only a caller who knows the password
 * learns more: ACCOUNT_LOCKED (with the time it opens), TOTP_REQUIRED or TOTP_INVALID. Every
 * attempt runs one scrypt, for unknown users against a dummy hash, so timing says nothing either.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { CloudError, Errors } from './errors.js';
import type { Sealer } from './secrets.js';
import type { AuditRecorder } from './audit.js';
import { matchTotp, newTotpSecret, otpauthUri, base32Encode } from './totp.js';
import type { AdminRecord, AdminRole, Store } from '../store/repositories.js';

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const TOKEN_TTL_MS = 8 * 3_600_000;
export const MIN_PASSWORD_LENGTH = 12;
export const ADMIN_ROLES = ['sysadmin', 'ra_officer', 'dept_approver', 'auditor'] as const satisfies readonly AdminRole[];

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function checkPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return timingSafeEqual(actual, expected);
}

const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export const AdminErrors = {
  locked: (until: number) =>
    new CloudError('ACCOUNT_LOCKED', 423, `账户因多次登录失败已锁定，请于 ${new Date(until).toISOString()} 后重试，或请系统管理员解锁`, `the account is locked after repeated failed logins until ${new Date(until).toISOString()}; wait, or ask a sysadmin to unlock it`),
  totpRequired: () => new CloudError('TOTP_REQUIRED', 401, '请输入动态验证码', 'enter the code from your authenticator app (totp)'),
  totpInvalid: () => new CloudError('TOTP_INVALID', 401, '动态验证码错误或已使用，请等待下一个验证码', 'the authenticator code is wrong or was already used; wait for the next one'),
  passwordChangeRequired: () =>
    new CloudError('PASSWORD_CHANGE_REQUIRED', 403, '密码已被重置，请先修改密码 (POST /api/v1/admin/me/password)', 'the password was reset: change it first (POST /api/v1/admin/me/password)'),
  lastSysadmin: () => Errors.conflict({ en: 'the last active sysadmin cannot be removed, disabled or demoted', zh: '不能删除、停用或降级最后一个可用的系统管理员' }),
  weakPassword: () => Errors.badRequest({ en: `a password needs at least ${MIN_PASSWORD_LENGTH} characters`, zh: `密码至少 ${MIN_PASSWORD_LENGTH} 位` }),
  selfApproval: () => new CloudError('SELF_APPROVAL', 403, '不能审批自己提交的申请', 'an administrator cannot approve their own request'),
};

/** What an administrator looks like to the API: no hash, no secret. */
export interface AdminView {
  username: string;
  role: AdminRole;
  departments: string[];
  disabled: boolean;
  locked: boolean;
  lockedUntil: number | null;
  totpEnabled: boolean;
  mustChangePassword: boolean;
  createdAt: number;
  createdBy: string | null;
  passwordChangedAt: number | null;
}

export interface AdminPolicy {
  /** wrong passwords in a row that lock an account (default 5) */
  lockoutThreshold: number;
  /** how long the lock lasts (default 15 minutes) */
  lockoutMinutes: number;
  /** the issuer shown in authenticator apps */
  totpIssuer: () => string;
}

const DEFAULT_POLICY: AdminPolicy = { lockoutThreshold: 5, lockoutMinutes: 15, totpIssuer: () => 'MedSign' };

/** Departments belong to dept_approver only: required for it, refused for the other roles. */
function checkDepartments(role: AdminRole, departments: readonly string[] | undefined): string[] {
  if (role === 'dept_approver') {
    if (!departments || departments.length === 0) throw Errors.badRequest({ en: 'a dept_approver needs at least one department', zh: '科室审批人须指定至少一个科室' });
    return [...new Set(departments)];
  }
  if (departments && departments.length > 0) throw Errors.badRequest({ en: `departments apply to dept_approver only, not ${role}`, zh: '只有科室审批人 (dept_approver) 可以指定科室' });
  return [];
}

/** A workflow's guard: the approver must not be the requester (issue 7). */
export function refuseSelfApproval(approver: Pick<AdminRecord, 'username'>, requestedBy: string): void {
  if (approver.username === requestedBy) throw AdminErrors.selfApproval();
}

export class AdminService {
  private readonly policy: AdminPolicy;
  /** issue 7: the audit log (set by server.ts) */
  audit?: AuditRecorder;

  constructor(
    private readonly store: Store,
    private readonly sealer?: Sealer,
    policy: Partial<AdminPolicy> = {},
  ) {
    this.policy = { ...DEFAULT_POLICY, ...policy };
  }

  /** Create the first administrator if there is none. Returns the password when it was generated here. */
  bootstrap(passwordFromEnv: string | undefined, now = Date.now()): { username: string; generatedPassword?: string } | undefined {
    if (this.store.admins.count() > 0) return undefined;
    if (passwordFromEnv !== undefined && passwordFromEnv.length < MIN_PASSWORD_LENGTH) {
      throw Errors.badRequest({ en: 'MEDSIGN_ADMIN_PASSWORD must have at least 12 characters', zh: '管理员初始密码至少 12 位' });
    }
    const password = passwordFromEnv ?? randomBytes(12).toString('base64url');
    this.store.transaction(() => this.store.admins.insert(newRecord('admin', hashPassword(password), 'sysadmin', [], null, now)));
    return { username: 'admin', ...(passwordFromEnv === undefined ? { generatedPassword: password } : {}) };
  }

  login(username: string, password: string, totp?: string, now = Date.now()): { token: string; expiresAt: number; role: AdminRole; mustChangePassword: boolean } {
    const found = this.store.admins.get(username);
    // check a dummy hash for unknown users too, so timing does not reveal which usernames exist
    const passwordOk = checkPassword(password, found?.passwordHash ?? DUMMY_HASH) && found !== undefined;
    const generic = () => Errors.unauthorized({ en: 'wrong username or password', zh: '用户名或密码错误' });
    // the transaction answers the outcome instead of throwing, so that a failure count commits
    const outcome = this.store.transaction((): { error: CloudError } | { token: string; expiresAt: number; role: AdminRole; mustChangePassword: boolean } => {
      const admin = this.store.admins.get(username); // re-read inside the transaction: concurrent attempts each count
      if (!admin || admin.disabled) return { error: generic() };
      if (admin.lockedUntil !== null && admin.lockedUntil > now) {
        // only someone who knows the password learns that the account is locked
        return { error: passwordOk ? AdminErrors.locked(admin.lockedUntil) : generic() };
      }
      if (!passwordOk) return { error: this.fail(admin, now, generic()) };
      let totpStep: number | null = admin.totpLastStep;
      if (admin.totp && admin.totpConfirmed) {
        if (totp === undefined) return { error: AdminErrors.totpRequired() }; // not counted: the password was right
        const step = matchTotp(this.openTotp(admin), totp, now, admin.totpLastStep);
        if (step === undefined) return { error: this.fail(admin, now, AdminErrors.totpInvalid()) };
        totpStep = step;
      }
      this.store.admins.update({ ...admin, failedLogins: 0, lockedUntil: null, totpLastStep: totpStep });
      const token = randomBytes(32).toString('base64url');
      const expiresAt = now + TOKEN_TTL_MS;
      this.store.admins.insertToken({ tokenHash: tokenHash(token), username, expiresAt });
      return { token, expiresAt, role: admin.role, mustChangePassword: admin.mustChangePassword };
    });
    this.audit?.record({ actorType: 'admin', actor: username, action: 'admin.login', result: 'error' in outcome ? 'failed' : 'ok', details: 'error' in outcome ? { code: outcome.error.code } : { role: outcome.role } }); // never the password or token
    if ('error' in outcome) throw outcome.error;
    return outcome;
  }

  /** One failure more; the threshold locks the account and starts a new count. */
  private fail(admin: AdminRecord, now: number, error: CloudError): CloudError {
    const failures = admin.failedLogins + 1;
    const lock = failures >= this.policy.lockoutThreshold;
    this.store.admins.update({ ...admin, failedLogins: lock ? 0 : failures, lockedUntil: lock ? now + this.policy.lockoutMinutes * 60_000 : null });
    return error;
  }

  /** The administrator behind a bearer token, or UNAUTHORIZED. Disabled accounts' tokens stop working. */
  authenticate(token: string | undefined, now = Date.now()): AdminRecord {
    if (!token) throw Errors.unauthorized();
    const t = this.store.admins.findToken(tokenHash(token));
    if (!t || t.expiresAt <= now) throw Errors.unauthorized({ en: 'token unknown or expired', zh: '令牌无效或已过期' });
    const admin = this.store.admins.get(t.username);
    if (!admin || admin.disabled) throw Errors.unauthorized();
    return admin;
  }

  logout(token: string): void {
    this.store.transaction(() => this.store.admins.deleteToken(tokenHash(token)));
  }

  // ---- account management (sysadmin) ----

  list(): AdminView[] {
    return this.store.admins.list().map((a) => view(a));
  }

  get(username: string, now = Date.now()): AdminView {
    return view(this.require(username), now);
  }

  create(input: { username: string; role: AdminRole; departments?: string[] | undefined; password: string }, by: string, now = Date.now()): AdminView {
    if (input.password.length < MIN_PASSWORD_LENGTH) throw AdminErrors.weakPassword();
    const departments = checkDepartments(input.role, input.departments);
    const hash = hashPassword(input.password); // outside the transaction: scrypt takes ~100 ms
    return this.store.transaction(() => {
      if (this.store.admins.get(input.username)) throw Errors.conflict({ en: `administrator ${input.username} exists`, zh: `管理员 ${input.username} 已存在` });
      // a new account chooses its own password at first login
      const record = { ...newRecord(input.username, hash, input.role, departments, by, now), mustChangePassword: true };
      this.store.admins.insert(record);
      return view(record, now);
    });
  }

  setRole(username: string, role: AdminRole, departments: string[] | undefined, now = Date.now()): AdminView {
    const deps = checkDepartments(role, departments);
    return this.mutate(username, (a) => {
      if (a.role === 'sysadmin' && role !== 'sysadmin') this.keepOneSysadmin(a.username);
      return { ...a, role, departments: deps };
    }, now);
  }

  setDisabled(username: string, disabled: boolean, now = Date.now()): AdminView {
    return this.mutate(username, (a) => {
      if (disabled && a.role === 'sysadmin') this.keepOneSysadmin(a.username);
      if (disabled) this.store.admins.deleteTokensOf(a.username);
      return { ...a, disabled };
    }, now);
  }

  unlock(username: string, now = Date.now()): AdminView {
    return this.mutate(username, (a) => ({ ...a, failedLogins: 0, lockedUntil: null }), now);
  }

  /** A sysadmin sets a new password: the holder must change it at the next login; their tokens end. */
  resetPassword(username: string, password: string, now = Date.now()): AdminView {
    if (password.length < MIN_PASSWORD_LENGTH) throw AdminErrors.weakPassword();
    const hash = hashPassword(password);
    return this.mutate(username, (a) => {
      this.store.admins.deleteTokensOf(a.username);
      return { ...a, passwordHash: hash, mustChangePassword: true, failedLogins: 0, lockedUntil: null, passwordChangedAt: now };
    }, now);
  }

  delete(username: string, by: string): void {
    if (username === by) throw Errors.conflict({ en: 'you cannot delete your own account', zh: '不能删除自己的账户' });
    this.store.transaction(() => {
      const a = this.require(username);
      if (a.role === 'sysadmin') this.keepOneSysadmin(a.username);
      this.store.admins.delete(a.username);
    });
  }

  /** A sysadmin turns off someone's TOTP (a lost phone). */
  clearTotp(username: string, now = Date.now()): AdminView {
    return this.mutate(username, (a) => ({ ...a, totp: null, totpConfirmed: false, totpLastStep: null }), now);
  }

  // ---- the administrator's own account ----

  /** Own password change, with the old one. Other tokens of this administrator end; `keepToken` stays. */
  changeOwnPassword(username: string, oldPassword: string, newPassword: string, keepToken: string | undefined, now = Date.now()): AdminView {
    const a = this.require(username);
    if (!checkPassword(oldPassword, a.passwordHash)) throw Errors.forbidden({ en: 'the current password is wrong', zh: '当前密码错误' });
    if (newPassword.length < MIN_PASSWORD_LENGTH) throw AdminErrors.weakPassword();
    if (newPassword === oldPassword) throw Errors.badRequest({ en: 'the new password must differ from the old one', zh: '新密码不能与旧密码相同' });
    const hash = hashPassword(newPassword);
    return this.mutate(username, (cur) => {
      this.store.admins.deleteTokensOf(cur.username, keepToken ? tokenHash(keepToken) : undefined);
      return { ...cur, passwordHash: hash, mustChangePassword: false, passwordChangedAt: now };
    }, now);
  }

  /** TOTP enrolment: a new secret (sealed under the KEK); required at login only after confirmTotp. */
  enrolTotp(username: string, now = Date.now()): { secret: string; uri: string } {
    const sealer = this.requireSealer();
    const secret = newTotpSecret();
    this.mutate(username, (a) => {
      if (a.totpConfirmed) throw Errors.conflict({ en: 'TOTP is already on: disable it first', zh: '已启用动态验证码，请先停用' });
      return { ...a, totp: sealer.seal(secret, totpContext(a.username)), totpLastStep: null };
    }, now);
    return { secret: base32Encode(secret), uri: otpauthUri(secret, this.policy.totpIssuer(), username) };
  }

  confirmTotp(username: string, code: string, now = Date.now()): AdminView {
    return this.mutate(username, (a) => {
      if (!a.totp) throw Errors.conflict({ en: 'no TOTP enrolment to confirm', zh: '尚未登记动态验证码' });
      if (a.totpConfirmed) throw Errors.conflict({ en: 'TOTP is already confirmed', zh: '动态验证码已确认' });
      const step = matchTotp(this.openTotp(a), code, now, a.totpLastStep);
      if (step === undefined) throw AdminErrors.totpInvalid();
      return { ...a, totpConfirmed: true, totpLastStep: step };
    }, now);
  }

  disableOwnTotp(username: string, code: string, now = Date.now()): AdminView {
    return this.mutate(username, (a) => {
      if (!a.totp) throw Errors.conflict({ en: 'TOTP is not on', zh: '未启用动态验证码' });
      if (matchTotp(this.openTotp(a), code, now, a.totpLastStep) === undefined) throw AdminErrors.totpInvalid();
      return { ...a, totp: null, totpConfirmed: false, totpLastStep: null };
    }, now);
  }

  // ---- internals ----

  private require(username: string): AdminRecord {
    const a = this.store.admins.get(username);
    if (!a) throw Errors.notFound({ en: `administrator ${username}`, zh: `管理员 ${username}` });
    return a;
  }

  private mutate(username: string, change: (a: AdminRecord) => AdminRecord, now: number): AdminView {
    return this.store.transaction(() => {
      const next = change(this.require(username));
      this.store.admins.update(next);
      return view(next, now);
    });
  }

  /** Refuses a change that would leave no enabled sysadmin besides `leaving`. */
  private keepOneSysadmin(leaving: string): void {
    if (!this.store.admins.list().some((a) => a.role === 'sysadmin' && !a.disabled && a.username !== leaving)) throw AdminErrors.lastSysadmin();
  }

  private openTotp(a: AdminRecord): Uint8Array {
    return this.requireSealer().open(a.totp!, totpContext(a.username));
  }

  private requireSealer(): Sealer {
    if (!this.sealer) throw Errors.internal({ en: 'TOTP needs the key-encryption key' });
    return this.sealer;
  }
}

/** The sealed secret is bound to its account: it cannot be copied to another row. */
const totpContext = (username: string) => `admin-totp:${username}`;

function newRecord(username: string, passwordHash: string, role: AdminRole, departments: string[], createdBy: string | null, now: number): AdminRecord {
  return {
    username, passwordHash, role, createdAt: now, departments, disabled: false, failedLogins: 0, lockedUntil: null,
    totp: null, totpConfirmed: false, totpLastStep: null, createdBy, passwordChangedAt: now, mustChangePassword: false,
  };
}

function view(a: AdminRecord, now = Date.now()): AdminView {
  const locked = a.lockedUntil !== null && a.lockedUntil > now;
  return {
    username: a.username, role: a.role, departments: a.departments, disabled: a.disabled, locked, lockedUntil: locked ? a.lockedUntil : null,
    totpEnabled: a.totpConfirmed, mustChangePassword: a.mustChangePassword, createdAt: a.createdAt, createdBy: a.createdBy, passwordChangedAt: a.passwordChangedAt,
  };
}

const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'));
