/** The embedded store: better-sqlite3 (v12) with WAL, foreign keys and versioned migrations. */
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
import type { AdminRecord, CaRecord, CertificateRecord, CertificateStatus, CrlRecord, Store, TokenRecord } from './repositories.js';

const bytes = (b: Buffer | Uint8Array): Uint8Array => new Uint8Array(b);

export function openSqliteStore(path: string): Store {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const caRow = (r: Record<string, unknown>): CaRecord => ({
    name: r.name as string,
    algorithm: r.algorithm as CaRecord['algorithm'],
    role: r.role as CaRecord['role'],
    certificate: bytes(r.certificate as Buffer),
    sealedKey: bytes(r.sealed_key as Buffer),
    createdAt: r.created_at as number,
  });
  const certRow = (r: Record<string, unknown>): CertificateRecord => ({
    serial: r.serial as string,
    caName: r.ca_name as string,
    sha256: r.sha256 as string,
    der: bytes(r.der as Buffer),
    subject: r.subject as string,
    staffId: (r.staff_id as string | null) ?? null,
    notBefore: r.not_before as number,
    notAfter: r.not_after as number,
    status: r.status as CertificateStatus,
    revokedAt: (r.revoked_at as number | null) ?? null,
    reason: (r.reason as number | null) ?? null,
  });

  const q = {
    caGet: db.prepare('SELECT * FROM ca WHERE name = ?'),
    caList: db.prepare('SELECT * FROM ca ORDER BY created_at, name'),
    caInsert: db.prepare('INSERT INTO ca (name, algorithm, role, certificate, sealed_key, created_at) VALUES (@name, @algorithm, @role, @certificate, @sealedKey, @createdAt)'),
    certInsert: db.prepare(
      'INSERT INTO certificate (serial, ca_name, sha256, der, subject, staff_id, not_before, not_after, status, revoked_at, reason) VALUES (@serial, @caName, @sha256, @der, @subject, @staffId, @notBefore, @notAfter, @status, @revokedAt, @reason)',
    ),
    certGet: db.prepare('SELECT * FROM certificate WHERE serial = ?'),
    certRevoked: db.prepare("SELECT * FROM certificate WHERE ca_name = ? AND status IN ('revoked', 'hold') ORDER BY revoked_at, serial"),
    certStatus: db.prepare('UPDATE certificate SET status = ?, revoked_at = ?, reason = ? WHERE serial = ?'),
    crlGet: db.prepare('SELECT * FROM crl WHERE ca_name = ?'),
    crlPut: db.prepare(
      'INSERT INTO crl (ca_name, number, der, this_update, next_update) VALUES (@caName, @number, @der, @thisUpdate, @nextUpdate) ON CONFLICT(ca_name) DO UPDATE SET number = excluded.number, der = excluded.der, this_update = excluded.this_update, next_update = excluded.next_update',
    ),
    adminGet: db.prepare('SELECT * FROM admin WHERE username = ?'),
    adminInsert: db.prepare('INSERT INTO admin (username, password_hash, role, created_at) VALUES (@username, @passwordHash, @role, @createdAt)'),
    adminCount: db.prepare('SELECT count(*) AS n FROM admin'),
    tokenInsert: db.prepare('INSERT INTO admin_token (token_hash, username, expires_at) VALUES (@tokenHash, @username, @expiresAt)'),
    tokenGet: db.prepare('SELECT * FROM admin_token WHERE token_hash = ?'),
    tokenDelete: db.prepare('DELETE FROM admin_token WHERE token_hash = ?'),
  };

  return {
    cas: {
      get: (name) => {
        const r = q.caGet.get(name) as Record<string, unknown> | undefined;
        return r ? caRow(r) : undefined;
      },
      list: () => (q.caList.all() as Record<string, unknown>[]).map(caRow),
      insert: (r) => void q.caInsert.run({ ...r, certificate: Buffer.from(r.certificate), sealedKey: Buffer.from(r.sealedKey) }),
    },
    certificates: {
      insert: (r) => void q.certInsert.run({ ...r, der: Buffer.from(r.der) }),
      get: (serial) => {
        const r = q.certGet.get(serial) as Record<string, unknown> | undefined;
        return r ? certRow(r) : undefined;
      },
      listRevoked: (caName) => (q.certRevoked.all(caName) as Record<string, unknown>[]).map(certRow),
      setStatus: (serial, status, revokedAt, reason) => void q.certStatus.run(status, revokedAt, reason, serial),
    },
    crls: {
      get: (caName) => {
        const r = q.crlGet.get(caName) as Record<string, unknown> | undefined;
        return r
          ? { caName, number: BigInt(r.number as string), der: bytes(r.der as Buffer), thisUpdate: r.this_update as number, nextUpdate: r.next_update as number }
          : undefined;
      },
      put: (r: CrlRecord) => void q.crlPut.run({ ...r, number: r.number.toString(), der: Buffer.from(r.der) }),
    },
    admins: {
      get: (username) => {
        const r = q.adminGet.get(username) as Record<string, unknown> | undefined;
        return r ? { username: r.username as string, passwordHash: r.password_hash as string, role: r.role as AdminRecord['role'], createdAt: r.created_at as number } : undefined;
      },
      insert: (r) => void q.adminInsert.run(r),
      count: () => (q.adminCount.get() as { n: number }).n,
      insertToken: (r: TokenRecord) => void q.tokenInsert.run(r),
      findToken: (h) => {
        const r = q.tokenGet.get(h) as Record<string, unknown> | undefined;
        return r ? { tokenHash: r.token_hash as string, username: r.username as string, expiresAt: r.expires_at as number } : undefined;
      },
      deleteToken: (h) => void q.tokenDelete.run(h),
    },
    transaction: (fn) => db.transaction(fn)(),
    close: () => db.close(),
  };
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migration').all() as { version: number }[]).map((r) => r.version));
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    })();
  }
}
