-- examples/cdb-sql for PostgreSQL: the same tables as schema.sqlite.sql.
CREATE TABLE IF NOT EXISTS nursing_record (
  id           BIGSERIAL PRIMARY KEY,
  patient_id   TEXT NOT NULL,
  ward         TEXT NOT NULL,
  content      TEXT NOT NULL,
  recorded_at  TIMESTAMPTZ NOT NULL,
  author_no    TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS certificate (
  sha256       BYTEA PRIMARY KEY CHECK (octet_length(sha256) = 32),
  der          BYTEA NOT NULL,
  subject      TEXT NOT NULL,
  serial_hex   TEXT NOT NULL,
  not_before   TIMESTAMPTZ NOT NULL,
  not_after    TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS signature (
  id             BIGSERIAL PRIMARY KEY,
  document_type  TEXT NOT NULL,
  document_id    TEXT NOT NULL,
  content_sha256 BYTEA NOT NULL CHECK (octet_length(content_sha256) = 32),
  cert_sha256    BYTEA NOT NULL REFERENCES certificate(sha256),
  signed_at      TIMESTAMPTZ NOT NULL,
  record         BYTEA NOT NULL,
  UNIQUE (document_type, document_id, content_sha256)
);
CREATE INDEX IF NOT EXISTS signature_document ON signature (document_type, document_id);
CREATE INDEX IF NOT EXISTS signature_signer ON signature (cert_sha256, signed_at);
-- the application's database role: grants.postgres.sql (signatures insert-only)
