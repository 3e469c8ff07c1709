-- examples/cdb-sql for PostgreSQL: the role the C/DB client connects as. It writes nursing
-- records and may add signatures and certificates, but never change or delete them: a signature
-- row, once written, stays as it was for the life of the record (30 years for inpatient records).
-- Run as the database owner after schema.postgres.sql; set the password out of band.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'his_app') THEN CREATE ROLE his_app LOGIN; END IF;
END $$;
GRANT SELECT, INSERT, UPDATE ON nursing_record TO his_app;
GRANT SELECT, INSERT ON certificate, signature TO his_app;
GRANT USAGE ON SEQUENCE nursing_record_id_seq, signature_id_seq TO his_app;
REVOKE UPDATE, DELETE, TRUNCATE ON certificate, signature FROM his_app;
-- the verification job only reads: GRANT SELECT ON nursing_record, certificate, signature TO his_verify;
