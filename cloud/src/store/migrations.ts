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
  {
    version: 2,
    name: 'enrollment',
    sql: `
      CREATE TABLE staff (
        id TEXT PRIMARY KEY,
        employee_no TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        department TEXT NOT NULL,
        title TEXT,
        licence_no TEXT,
        id_number TEXT,
        mobile TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE device (
        id TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL REFERENCES staff(id),
        public_key BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'retired'))
      );
      CREATE TABLE device_nonce (
        device_id TEXT NOT NULL REFERENCES device(id),
        nonce TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (device_id, nonce)
      );
      CREATE TABLE enrollment (
        id TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL REFERENCES staff(id),
        algorithm TEXT NOT NULL CHECK (algorithm IN ('sm2', 'rsa-2048', 'rsa-1024')),
        code_hash TEXT NOT NULL UNIQUE,
        expires_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'keygen', 'csr', 'completed')),
        device_id TEXT REFERENCES device(id),
        sealed_state BLOB,
        csr_info_hash TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE key_share (
        id TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL REFERENCES staff(id),
        device_id TEXT NOT NULL REFERENCES device(id),
        algorithm TEXT NOT NULL,
        sealed_share BLOB,
        public_key BLOB NOT NULL,
        certificate_serial TEXT REFERENCES certificate(serial),
        status TEXT NOT NULL CHECK (status IN ('active', 'locked', 'destroyed')),
        failures INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX key_share_staff ON key_share (staff_id, status);
    `,
  },
  {
    version: 3,
    name: 'sessions',
    sql: `
      CREATE TABLE agent (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        credential_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE agent_token (
        token_hash TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL,
        used_by TEXT REFERENCES agent(id)
      );
      CREATE TABLE user_session (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        agent_id TEXT NOT NULL REFERENCES agent(id),
        staff_id TEXT NOT NULL REFERENCES staff(id),
        share_id TEXT NOT NULL REFERENCES key_share(id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE TABLE cosign_session (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('login', 'sign')),
        agent_id TEXT NOT NULL REFERENCES agent(id),
        staff_id TEXT REFERENCES staff(id),
        share_id TEXT REFERENCES key_share(id),
        user_session_id TEXT REFERENCES user_session(id),
        hash TEXT NOT NULL,
        digests TEXT NOT NULL,
        app TEXT NOT NULL,
        summaries TEXT NOT NULL,
        workstation TEXT NOT NULL,
        verification_code TEXT NOT NULL,
        status TEXT NOT NULL,
        answered INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE INDEX cosign_session_staff ON cosign_session (staff_id, status);
      CREATE INDEX cosign_session_share ON cosign_session (share_id, status);
    `,
  },
  {
    version: 4,
    name: 'service-keys',
    sql: `
      CREATE TABLE service_key (
        name TEXT PRIMARY KEY,
        spki BLOB NOT NULL,
        sealed_key BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'renewal',
    sql: `
      ALTER TABLE enrollment ADD COLUMN renews_serial TEXT;
    `,
  },
  // issue 7, the tamper-evident audit log (domain/audit.ts, docs/audit.md). The triggers make the
  // tables append-only for the application; someone with the file can drop them, which is why
  // `medsign-cloud audit verify` recomputes the chain and checks the TSA checkpoints.
  {
    version: 10,
    name: 'audit',
    sql: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY CHECK (seq >= 1),
        at INTEGER NOT NULL,
        actor_type TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        result TEXT NOT NULL,
        details TEXT NOT NULL,
        alg TEXT NOT NULL CHECK (alg IN ('sha256', 'sm3')),
        entry TEXT NOT NULL,
        prev TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL UNIQUE
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE INDEX audit_log_actor ON audit_log (actor, seq);
      CREATE INDEX audit_log_action ON audit_log (action, seq);
      CREATE INDEX audit_log_target ON audit_log (target, seq);
      -- appends only, in sequence, each linked to the last (so even INSERT OR REPLACE cannot rewrite)
      CREATE TRIGGER audit_log_append BEFORE INSERT ON audit_log
      WHEN NEW.seq IS NOT COALESCE((SELECT max(seq) FROM audit_log), 0) + 1
        OR NEW.prev IS NOT COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '${'0'.repeat(64)}')
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries are added in sequence, linked to the last'); END;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TABLE audit_checkpoint (
        id INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        alg TEXT NOT NULL CHECK (alg IN ('sha256', 'sm3')),
        at INTEGER NOT NULL,
        token BLOB NOT NULL
      );
      CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only'); END;
      CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only'); END;
    `,
  },
  // issue 7, administrator and system management: account state, lockout, TOTP, system settings
  {
    version: 11,
    name: 'admin-management',
    sql: `
      ALTER TABLE admin ADD COLUMN departments TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE admin ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE admin ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE admin ADD COLUMN locked_until INTEGER;
      ALTER TABLE admin ADD COLUMN totp BLOB;
      ALTER TABLE admin ADD COLUMN totp_confirmed INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE admin ADD COLUMN totp_last_step INTEGER;
      ALTER TABLE admin ADD COLUMN created_by TEXT;
      ALTER TABLE admin ADD COLUMN password_changed_at INTEGER;
      ALTER TABLE admin ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE setting (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT
      );
    `,
  },
  // issue 7, queries/statistics/reports (cloud/src/domain/reports.ts, reminders.ts): indexes for the
  // report queries, certificate status events (triggers, so hold/release history survives), and
  // the expiry reminders. Needs nothing from 10–12.
  {
    version: 13,
    name: 'reports',
    sql: `
      CREATE INDEX certificate_staff ON certificate (staff_id, not_before);
      CREATE INDEX certificate_expiry ON certificate (status, not_after);
      CREATE INDEX key_share_certificate ON key_share (certificate_serial);
      CREATE INDEX staff_department ON staff (department);
      CREATE INDEX enrollment_staff ON enrollment (staff_id, status);
      -- covering index for the signature statistics (json_array_length(digests) = signatures)
      CREATE INDEX cosign_session_stats ON cosign_session (kind, created_at, status, staff_id, app, json_array_length(digests));
      CREATE TABLE certificate_event (
        id INTEGER PRIMARY KEY,
        serial TEXT NOT NULL REFERENCES certificate(serial),
        at INTEGER NOT NULL,
        event TEXT NOT NULL CHECK (event IN ('hold', 'release', 'revoke')),
        reason INTEGER
      );
      CREATE INDEX certificate_event_serial ON certificate_event (serial, at);
      CREATE INDEX certificate_event_at ON certificate_event (at);
      -- the hold/revocation time the domain chose, else the wall clock (release; revoke after hold)
      CREATE TRIGGER certificate_event_status AFTER UPDATE OF status ON certificate WHEN NEW.status IS NOT OLD.status
      BEGIN
        INSERT INTO certificate_event (serial, at, event, reason) VALUES (
          NEW.serial,
          CASE WHEN NEW.status = 'hold' OR (NEW.status = 'revoked' AND OLD.status = 'good') THEN COALESCE(NEW.revoked_at, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
               ELSE CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) END,
          CASE NEW.status WHEN 'hold' THEN 'hold' WHEN 'revoked' THEN 'revoke' ELSE 'release' END,
          NEW.reason);
      END;
      INSERT INTO certificate_event (serial, at, event, reason)
        SELECT serial, revoked_at, CASE status WHEN 'hold' THEN 'hold' ELSE 'revoke' END, reason FROM certificate WHERE status IN ('hold', 'revoked') AND revoked_at IS NOT NULL;
      CREATE TABLE notification (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('cert_expiry')),
        serial TEXT NOT NULL REFERENCES certificate(serial),
        staff_id TEXT REFERENCES staff(id),
        threshold_days INTEGER NOT NULL,
        not_after INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        console_read_at INTEGER,
        phone_read_at INTEGER,
        UNIQUE (kind, serial, threshold_days)
      );
      CREATE INDEX notification_staff ON notification (staff_id, created_at);
      CREATE INDEX notification_created ON notification (created_at);
    `,
  },
  // issue 7, certificate templates (domain/templates.ts): templates, immutable versions, and the
  // template version that issued each certificate. The built-ins are created at start (they take
  // the configured validity), not here.
  {
    version: 12,
    name: 'certificate-templates',
    sql: `
      CREATE TABLE template (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
        current_version INTEGER NOT NULL,
        builtin INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE template_version (
        template_id TEXT NOT NULL REFERENCES template(id),
        version INTEGER NOT NULL CHECK (version >= 1),
        definition TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (template_id, version)
      );
      CREATE TRIGGER template_version_no_update BEFORE UPDATE ON template_version
      BEGIN SELECT RAISE(ABORT, 'template versions are immutable'); END;
      CREATE TRIGGER template_version_no_delete BEFORE DELETE ON template_version
      BEGIN SELECT RAISE(ABORT, 'template versions are immutable'); END;
      ALTER TABLE certificate ADD COLUMN template_id TEXT;
      ALTER TABLE certificate ADD COLUMN template_version INTEGER;
      CREATE INDEX certificate_template ON certificate (template_id, template_version);
      ALTER TABLE enrollment ADD COLUMN template_id TEXT;
    `,
  },
  {
    // issue 7, configurable workflows (domain/workflows.ts, store/workflows-sqlite.ts)
    version: 14,
    name: 'workflows: definitions per operation, requests, decisions, events',
    sql: `
      CREATE TABLE workflow (
        operation TEXT PRIMARY KEY,
        steps TEXT NOT NULL,
        auto_approve INTEGER NOT NULL CHECK (auto_approve IN (0, 1)),
        expiry_hours INTEGER NOT NULL CHECK (expiry_hours > 0),
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE TABLE workflow_request (
        id TEXT PRIMARY KEY,
        operation TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'rejected', 'expired', 'cancelled', 'executed', 'failed')),
        applicant TEXT NOT NULL,
        department TEXT,
        subject TEXT NOT NULL,
        payload TEXT NOT NULL,
        step INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        decided_at INTEGER,
        result TEXT,
        error TEXT
      );
      CREATE INDEX workflow_request_status ON workflow_request (status, expires_at);
      CREATE INDEX workflow_request_department ON workflow_request (department, created_at);
      CREATE TABLE workflow_decision (
        request_id TEXT NOT NULL REFERENCES workflow_request(id),
        step INTEGER NOT NULL,
        admin TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
        reason TEXT,
        at INTEGER NOT NULL,
        PRIMARY KEY (request_id, step)
      );
      CREATE TABLE workflow_event (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL REFERENCES workflow_request(id),
        type TEXT NOT NULL,
        operation TEXT NOT NULL,
        department TEXT,
        at INTEGER NOT NULL,
        data TEXT NOT NULL
      );
    `,
  },
  {
    // issue 7, emergency certificates (domain/emergency.ts, store/emergency-sqlite.ts)
    version: 15,
    name: 'emergency grants (one staff member, one agent, a one-time password) and their co-sign rounds',
    sql: `
      CREATE TABLE emergency_grant (
        id TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL REFERENCES staff(id),
        agent_id TEXT NOT NULL REFERENCES agent(id),
        algorithm TEXT NOT NULL CHECK (algorithm IN ('sm2')),
        request_id TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        valid_from INTEGER NOT NULL,
        valid_to INTEGER NOT NULL CHECK (valid_to > valid_from AND valid_to - valid_from <= 259200000),
        password_hash TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL CHECK (status IN ('issued', 'keygen', 'active', 'locked', 'revoked', 'expired')),
        sealed_state BLOB,
        sealed_state_kind TEXT CHECK (sealed_state_kind IN ('keygen', 'share')),
        sealed_unlock_key BLOB,
        public_key BLOB,
        certificate_serial TEXT UNIQUE,
        session_token_hash TEXT UNIQUE,
        keygen_at INTEGER,
        activated_at INTEGER,
        ended_at INTEGER,
        end_reason TEXT,
        note TEXT
      );
      CREATE INDEX emergency_grant_staff ON emergency_grant (staff_id, status);
      CREATE INDEX emergency_grant_status ON emergency_grant (status, valid_to);
      CREATE TABLE emergency_session (
        id TEXT PRIMARY KEY,
        grant_id TEXT NOT NULL REFERENCES emergency_grant(id),
        digests TEXT NOT NULL,
        app TEXT NOT NULL,
        summaries TEXT NOT NULL,
        workstation TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('COSIGNING', 'OK', 'ERROR', 'TIMEOUT')),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE INDEX emergency_session_open ON emergency_session (status, expires_at);
    `,
  },
];
