/** Versioned schema migrations; each runs once, in order, in its own transaction. */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'pki',
    sql: `
      CREATE TABLE ca (
        name TEXT PRIMARY KEY,
        algorithm TEXT NOT NULL CHECK (algorithm IN ('sm2', 'rsa-2048', 'rsa-1024')),
        role TEXT NOT NULL CHECK (role IN ('root', 'issuing', 'tsa', 'ocsp')),
        certificate BLOB NOT NULL,
        sealed_key BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE certificate (
        serial TEXT PRIMARY KEY,
        ca_name TEXT NOT NULL REFERENCES ca(name),
        sha256 TEXT NOT NULL UNIQUE,
        der BLOB NOT NULL,
        subject TEXT NOT NULL,
        staff_id TEXT,
        not_before INTEGER NOT NULL,
        not_after INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('good', 'revoked', 'hold')),
        revoked_at INTEGER,
        reason INTEGER
      );
      CREATE INDEX certificate_ca_status ON certificate (ca_name, status);
      CREATE TABLE crl (
        ca_name TEXT PRIMARY KEY REFERENCES ca(name),
        number TEXT NOT NULL,
        der BLOB NOT NULL,
        this_update INTEGER NOT NULL,
        next_update INTEGER NOT NULL
      );
      CREATE TABLE admin (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE admin_token (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES admin(username),
        expires_at INTEGER NOT NULL
      );
    `,
  },
];
