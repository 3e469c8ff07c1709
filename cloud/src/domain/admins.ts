/**
 * Administrators: scrypt password hashes, bearer tokens stored only as SHA-256, and the
 * first administrator created at bootstrap (password from MEDSIGN_ADMIN_PASSWORD, or a random
 * one returned once so the operator can read it off the console).
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { Errors } from './errors.js';
import type { AdminRecord, Store } from '../store/repositories.js';

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const TOKEN_TTL_MS = 8 * 3_600_000;

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

export class AdminService {
  constructor(private readonly store: Store) {}

  /** Create the first administrator if there is none. Returns the password when it was generated here. */
  bootstrap(passwordFromEnv: string | undefined, now = Date.now()): { username: string; generatedPassword?: string } | undefined {
    if (this.store.admins.count() > 0) return undefined;
    if (passwordFromEnv !== undefined && passwordFromEnv.length < 12) {
      throw Errors.badRequest({ en: 'MEDSIGN_ADMIN_PASSWORD must have at least 12 characters', zh: '管理员初始密码至少 12 位' });
    }
    const password = passwordFromEnv ?? randomBytes(12).toString('base64url');
    this.store.transaction(() => this.store.admins.insert({ username: 'admin', passwordHash: hashPassword(password), role: 'sysadmin', createdAt: now }));
    return { username: 'admin', ...(passwordFromEnv === undefined ? { generatedPassword: password } : {}) };
  }

  login(username: string, password: string, now = Date.now()): { token: string; expiresAt: number; role: AdminRecord['role'] } {
    const admin = this.store.admins.get(username);
    // check a dummy hash for unknown users too, so timing does not reveal which usernames exist
    const ok = checkPassword(password, admin?.passwordHash ?? DUMMY_HASH) && admin !== undefined;
    if (!ok || !admin) throw Errors.unauthorized({ en: 'wrong username or password', zh: '用户名或密码错误' });
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + TOKEN_TTL_MS;
    this.store.transaction(() => this.store.admins.insertToken({ tokenHash: tokenHash(token), username, expiresAt }));
    return { token, expiresAt, role: admin.role };
  }

  /** The administrator behind a bearer token, or UNAUTHORIZED. */
  authenticate(token: string | undefined, now = Date.now()): AdminRecord {
    if (!token) throw Errors.unauthorized();
    const t = this.store.admins.findToken(tokenHash(token));
    if (!t || t.expiresAt <= now) throw Errors.unauthorized({ en: 'token unknown or expired', zh: '令牌无效或已过期' });
    const admin = this.store.admins.get(t.username);
    if (!admin) throw Errors.unauthorized();
    return admin;
  }

  logout(token: string): void {
    this.store.transaction(() => this.store.admins.deleteToken(tokenHash(token)));
  }
}

const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'));
