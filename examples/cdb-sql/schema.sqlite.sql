-- examples/cdb-sql: a C/DB (client/database) nursing-record system keeping its signatures in its
-- own database. SQLite; schema.postgres.sql is the same for PostgreSQL.
PRAGMA foreign_keys = ON;

-- the business table: what the nurses write (the signed content is exactly `content`, as UTF-8)
CREATE TABLE IF NOT EXISTS nursing_record (
  id           INTEGER PRIMARY KEY,
  patient_id   TEXT NOT NULL,
  ward         TEXT NOT NULL,
  content      TEXT NOT NULL,
  recorded_at  TEXT NOT NULL,               -- ISO 8601
  author_no    TEXT NOT NULL                -- employee number of the nurse who signs it
);

-- one row per certificate that ever signed; never deleted while a signature refers to it
CREATE TABLE IF NOT EXISTS certificate (
  sha256       BLOB PRIMARY KEY CHECK (length(sha256) = 32),   -- SHA-256 of der: what records refer to
  der          BLOB NOT NULL,
  subject      TEXT NOT NULL,
  serial_hex   TEXT NOT NULL,
  not_before   TEXT NOT NULL,
  not_after    TEXT NOT NULL
) WITHOUT ROWID;

-- one row per signature: the compact record (MedSignCompactSignature, DER; docs/storage.md)
-- plus the columns that queries need; the CMS is rebuilt from record + content + certificate
CREATE TABLE IF NOT EXISTS signature (
  id             INTEGER PRIMARY KEY,
  document_type  TEXT NOT NULL,              -- 'nursing_record'
  document_id    TEXT NOT NULL,              -- nursing_record.id
  content_sha256 BLOB NOT NULL CHECK (length(content_sha256) = 32),
  cert_sha256    BLOB NOT NULL REFERENCES certificate(sha256),
  signed_at      TEXT NOT NULL,              -- = the record's signingTime (ISO 8601)
  record         BLOB NOT NULL,
  UNIQUE (document_type, document_id, content_sha256)
);
CREATE INDEX IF NOT EXISTS signature_document ON signature (document_type, document_id);
CREATE INDEX IF NOT EXISTS signature_signer ON signature (cert_sha256, signed_at);
