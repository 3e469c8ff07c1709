/** SQLite repositories for administrators (with their tokens) and system settings. */
import type Database from 'better-sqlite3';
import type { AdminRecord, AdminRepository, SettingRepository, TokenRecord } from './repositories.js';

type Row = Record<string, unknown>;

const adminRow = (r: Row): AdminRecord => ({
  username: r.username as string,
  passwordHash: r.password_hash as string,
  role: r.role as AdminRecord['role'],
  createdAt: r.created_at as number,
  departments: JSON.parse((r.departments as string | null) ?? '[]') as string[],
  disabled: r.disabled === 1,
  failedLogins: (r.failed_logins as number | null) ?? 0,
  lockedUntil: (r.locked_until as number | null) ?? null,
  totp: r.totp ? new Uint8Array(r.totp as Buffer) : null,
  totpConfirmed: r.totp_confirmed === 1,
  totpLastStep: (r.totp_last_step as number | null) ?? null,
  createdBy: (r.created_by as string | null) ?? null,
  passwordChangedAt: (r.password_changed_at as number | null) ?? null,
  mustChangePassword: r.must_change_password === 1,
});

const adminParams = (a: AdminRecord) => ({
  username: a.username,
  passwordHash: a.passwordHash,
  role: a.role,
  createdAt: a.createdAt,
  departments: JSON.stringify(a.departments),
  disabled: a.disabled ? 1 : 0,
  failedLogins: a.failedLogins,
  lockedUntil: a.lockedUntil,
  totp: a.totp ? Buffer.from(a.totp) : null,
  totpConfirmed: a.totpConfirmed ? 1 : 0,
  totpLastStep: a.totpLastStep,
  createdBy: a.createdBy,
  passwordChangedAt: a.passwordChangedAt,
  mustChangePassword: a.mustChangePassword ? 1 : 0,
});

const COLUMNS = 'username, password_hash, role, created_at, departments, disabled, failed_logins, locked_until, totp, totp_confirmed, totp_last_step, created_by, password_changed_at, must_change_password';
const VALUES = '@username, @passwordHash, @role, @createdAt, @departments, @disabled, @failedLogins, @lockedUntil, @totp, @totpConfirmed, @totpLastStep, @createdBy, @passwordChangedAt, @mustChangePassword';

export function sqliteAdminRepository(db: Database.Database): AdminRepository {
  const q = {
    get: db.prepare('SELECT * FROM admin WHERE username = ?'),
    list: db.prepare('SELECT * FROM admin ORDER BY created_at, username'),
    insert: db.prepare(`INSERT INTO admin (${COLUMNS}) VALUES (${VALUES})`),
    update: db.prepare(
      'UPDATE admin SET password_hash = @passwordHash, role = @role, departments = @departments, disabled = @disabled, failed_logins = @failedLogins, locked_until = @lockedUntil, totp = @totp, totp_confirmed = @totpConfirmed, totp_last_step = @totpLastStep, password_changed_at = @passwordChangedAt, must_change_password = @mustChangePassword WHERE username = @username',
    ),
    delete: db.prepare('DELETE FROM admin WHERE username = ?'),
    count: db.prepare('SELECT count(*) AS n FROM admin'),
    tokenInsert: db.prepare('INSERT INTO admin_token (token_hash, username, expires_at) VALUES (@tokenHash, @username, @expiresAt)'),
    tokenGet: db.prepare('SELECT * FROM admin_token WHERE token_hash = ?'),
    tokenDelete: db.prepare('DELETE FROM admin_token WHERE token_hash = ?'),
    tokensDelete: db.prepare('DELETE FROM admin_token WHERE username = ? AND token_hash IS NOT ?'),
  };
  return {
    get: (username) => {
      const r = q.get.get(username) as Row | undefined;
      return r ? adminRow(r) : undefined;
    },
    list: () => (q.list.all() as Row[]).map(adminRow),
    insert: (a) => void q.insert.run(adminParams(a)),
    update: (a) => void q.update.run(adminParams(a)),
    delete: (username) => {
      q.tokensDelete.run(username, null);
      q.delete.run(username);
    },
    count: () => (q.count.get() as { n: number }).n,
    insertToken: (r: TokenRecord) => void q.tokenInsert.run(r),
    findToken: (h) => {
      const r = q.tokenGet.get(h) as Row | undefined;
      return r ? { tokenHash: r.token_hash as string, username: r.username as string, expiresAt: r.expires_at as number } : undefined;
    },
    deleteToken: (h) => void q.tokenDelete.run(h),
    deleteTokensOf: (username, keep) => void q.tokensDelete.run(username, keep ?? null),
  };
}

export function sqliteSettingRepository(db: Database.Database): SettingRepository {
  const q = {
    all: db.prepare('SELECT key, value FROM setting'),
    put: db.prepare('INSERT INTO setting (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by'),
    delete: db.prepare('DELETE FROM setting WHERE key = ?'),
  };
  return {
    all: () => Object.fromEntries((q.all.all() as { key: string; value: string }[]).map((r) => [r.key, JSON.parse(r.value) as unknown])),
    put: (key, value, by, at) => void q.put.run(key, JSON.stringify(value), at, by),
    delete: (key) => void q.delete.run(key),
  };
}
